variable "name" {
  type        = string
  description = "Name of the ECS cluster, for example count-prod."
}

variable "container_insights" {
  type        = string
  description = "Container Insights level: enabled, or enhanced (per-task metrics, costs more). It cannot be off: the Consumer's autoscaling reads RunningTaskCount from it."
  default     = "enabled"

  validation {
    condition     = contains(["enabled", "enhanced"], var.container_insights)
    error_message = "container_insights must be enabled or enhanced."
  }
}
