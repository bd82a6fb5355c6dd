variable "name" {
  type        = string
  description = "Name of the load balancer, for example count-prod (at most 23 characters, the target group adds -producer)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}$", var.name))
    error_message = "name must be 2-23 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets of the ALB, one per AZ (at least two)."

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An ALB needs subnets in at least two availability zones."
  }
}

variable "security_group_id" {
  type        = string
  description = "Security group of the ALB: ingress from CloudFront's origin-facing prefix list only."
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate for a custom API origin name (for example api.example.com, pointed at this ALB). null: HTTP listener on port 80, reachable only by CloudFront."
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:[a-z-]+:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN or null."
  }
}

variable "target_port" {
  type        = number
  description = "Port of the Producer tasks (HTTP_PORT)."
  default     = 5080

  validation {
    condition     = var.target_port > 1024 && var.target_port < 65536
    error_message = "target_port must be an unprivileged port (1025-65535)."
  }
}

variable "health_check_port" {
  type        = number
  description = "Port the ALB probes on each Producer task: its operations port (OPS_HTTP_PORT)."
  default     = 5082

  validation {
    condition     = var.health_check_port > 1024 && var.health_check_port < 65536
    error_message = "health_check_port must be an unprivileged port (1025-65535)."
  }
}

variable "health_check_path" {
  type        = string
  description = "Path the ALB probes on each Producer task."
  default     = "/health"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "origin_header_name" {
  type        = string
  description = "Name of the header that carries CloudFront's shared secret to the ALB."
  default     = "X-Origin-Verify"

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,40}$", var.origin_header_name))
    error_message = "origin_header_name must be a plain HTTP header name."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the ALB (prod: true)."
  default     = true
}

variable "idle_timeout_seconds" {
  type        = number
  description = "Seconds an idle connection stays open."
  default     = 60

  validation {
    condition     = var.idle_timeout_seconds >= 1 && var.idle_timeout_seconds <= 4000
    error_message = "idle_timeout_seconds must be between 1 and 4000."
  }
}

variable "access_logs_bucket" {
  type        = string
  description = "S3 bucket for ALB access logs (its policy must allow the regional ELB account); null turns them off."
  default     = null
}
