variable "name" {
  type        = string
  description = "Name prefix for every security group, for example count-prod."
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC the groups belong to."
}

variable "alb_listener_port" {
  type        = number
  description = "Port of the ALB listener CloudFront connects to: 80 (HTTP, no custom domain) or 443 (HTTPS with an ACM certificate)."
  default     = 80

  validation {
    condition     = contains([80, 443], var.alb_listener_port)
    error_message = "alb_listener_port must be 80 or 443."
  }
}

variable "producer_port" {
  type        = number
  description = "Port the Producer listens on inside its task (HTTP_PORT)."
  default     = 5080

  validation {
    condition     = var.producer_port > 1024 && var.producer_port < 65536
    error_message = "producer_port must be an unprivileged port (1025-65535): the containers run as a non-root user."
  }
}

variable "producer_ops_port" {
  type        = number
  description = "The Producer's operations port (OPS_HTTP_PORT: /metrics, /ready, /health), opened to the VPC only."
  default     = 5082

  validation {
    condition     = var.producer_ops_port > 1024 && var.producer_ops_port < 65536 && var.producer_ops_port != var.producer_port
    error_message = "producer_ops_port must be an unprivileged port (1025-65535) other than producer_port."
  }
}

variable "vpc_cidr_block" {
  type        = string
  description = "CIDR block of the VPC: the only source allowed to reach the Producer's operations port."

  validation {
    condition     = can(cidrhost(var.vpc_cidr_block, 0)) && var.vpc_cidr_block != "0.0.0.0/0"
    error_message = "vpc_cidr_block must be the VPC's CIDR block, not 0.0.0.0/0."
  }
}

variable "redis_port" {
  type        = number
  description = "Port of the ElastiCache replication group."
  default     = 6379

  validation {
    condition     = var.redis_port > 0 && var.redis_port < 65536
    error_message = "redis_port must be a TCP port number."
  }
}

variable "db_port" {
  type        = number
  description = "Port of the RDS instance."
  default     = 3306

  validation {
    condition     = var.db_port > 0 && var.db_port < 65536
    error_message = "db_port must be a TCP port number."
  }
}
