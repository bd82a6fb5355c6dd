variable "repository_name" {
  type        = string
  description = "Name of the ECR repository, for example count-pipeline/prod."

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.repository_name))
    error_message = "repository_name must be lowercase letters and digits, separated by ., _, - or /."
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
