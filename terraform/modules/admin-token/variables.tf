variable "name" {
  type        = string
  description = "Prefix of the secret's name, for example count-prod (the secret is <name>/admin-token)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "secret_recovery_window_days" {
  type        = number
  description = "Days a deleted secret can still be restored (0 deletes at once, for short-lived test environments)."
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or between 7 and 30."
  }
}
