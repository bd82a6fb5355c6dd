variable "create" {
  type        = bool
  description = "Create the web ACL (on in stage and prod; test and dev may leave it off and save its monthly cost)."
  default     = true
}

variable "name" {
  type        = string
  description = "Name of the web ACL and of its metrics, for example count-prod."

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{1,100}$", var.name))
    error_message = "name must be 2-101 letters, digits or hyphens."
  }
}

variable "post_count_limit" {
  type        = number
  description = "Most POST /api/count requests one client IP may send per evaluation window; beyond it WAF answers a JSON 429 until the rate drops."

  validation {
    condition     = var.post_count_limit >= 10 && var.post_count_limit <= 2000000000
    error_message = "post_count_limit must be between 10 and 2,000,000,000 (WAF's range)."
  }
}

variable "evaluation_window_seconds" {
  type        = number
  description = "Window over which WAF counts each IP's POST /api/count requests: 60, 120, 300 or 600 seconds."
  default     = 60

  validation {
    condition     = contains([60, 120, 300, 600], var.evaluation_window_seconds)
    error_message = "evaluation_window_seconds must be 60, 120, 300 or 600."
  }
}

variable "count_path" {
  type        = string
  description = "Path of the write the rate rule guards, as the viewer sends it."
  default     = "/api/count"

  validation {
    condition     = startswith(var.count_path, "/")
    error_message = "count_path must start with /."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days the WAF logs (CloudWatch log group aws-waf-logs-<name> in us-east-1) are kept."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}
