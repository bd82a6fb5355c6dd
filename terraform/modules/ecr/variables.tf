variable "name_prefix" {
  type        = string
  description = "Path prefix of the repositories, for example count-pipeline/prod."

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.name_prefix))
    error_message = "name_prefix must be lowercase letters and digits, separated by ., _, - or /."
  }
}

variable "repositories" {
  type        = list(string)
  description = "Repository names under name_prefix, one per program that pulls its own copy."
  default     = ["producer", "consumer"]

  validation {
    condition     = length(var.repositories) > 0 && alltrue([for repo in var.repositories : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", repo))])
    error_message = "repositories must name at least one repository in lowercase letters, digits, ., _ or -."
  }
}

variable "images_to_keep" {
  type        = number
  description = "How many of the newest images the lifecycle policy keeps."
  default     = 20

  validation {
    condition     = var.images_to_keep >= 2
    error_message = "images_to_keep must be at least 2, or a rollback has nothing to go back to."
  }
}

variable "force_delete" {
  type        = bool
  description = "Let terraform destroy the repository while it still holds images (non-production only)."
  default     = false
}
