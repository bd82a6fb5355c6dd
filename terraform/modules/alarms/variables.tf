variable "name" {
  type        = string
  description = "Name prefix of the alarms and the SNS topic, for example count-prod."
}

variable "environment" {
  type        = string
  description = "Environment dimension of the Consumer's EMF metrics (its ENVIRONMENT_NAME)."
}

variable "queue_name" {
  type        = string
  description = "Queue dimension of the Consumer's EMF metrics (REDIS_QUEUE)."
  default     = "count_queue"
}

variable "queue_metric_namespace" {
  type        = string
  description = "CloudWatch namespace of the Consumer's EMF metrics (METRICS_EMF_NAMESPACE)."
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses subscribed to the alarm topic (each must confirm by mail)."
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alarm_emails must hold e-mail addresses."
  }
}

variable "alb_arn_suffix" {
  type        = string
  description = "ARN suffix of the ALB (app/name/id)."
}

variable "target_group_arn_suffix" {
  type        = string
  description = "ARN suffix of the Producer target group (targetgroup/name/id)."
}

variable "db_instance_identifier" {
  type        = string
  description = "Identifier of the RDS instance."
}

variable "redis_member_clusters" {
  type        = list(string)
  description = "Node IDs of the ElastiCache replication group (one memory and one eviction alarm each)."
}

variable "queue_depth_threshold" {
  type        = number
  description = "Messages waiting in the queue, sustained for 5 minutes, that page someone."
  default     = 10000

  validation {
    condition     = var.queue_depth_threshold > 0
    error_message = "queue_depth_threshold must be positive."
  }
}

variable "oldest_message_age_seconds" {
  type        = number
  description = "Age in seconds of the oldest waiting message, sustained for 3 minutes, that pages someone."
  default     = 300

  validation {
    condition     = var.oldest_message_age_seconds > 0
    error_message = "oldest_message_age_seconds must be positive."
  }
}

variable "alb_5xx_per_minute" {
  type        = number
  description = "5xx answers per minute (ALB or Producer), sustained for 3 minutes, that page someone."
  default     = 10

  validation {
    condition     = var.alb_5xx_per_minute >= 0
    error_message = "alb_5xx_per_minute must not be negative."
  }
}

variable "rds_cpu_percent" {
  type        = number
  description = "Database CPU percentage, sustained for 5 minutes, that pages someone."
  default     = 80

  validation {
    condition     = var.rds_cpu_percent > 0 && var.rds_cpu_percent <= 100
    error_message = "rds_cpu_percent must be between 1 and 100."
  }
}

variable "rds_free_storage_gb" {
  type        = number
  description = "Free database storage in GiB below which someone is paged."
  default     = 5

  validation {
    condition     = var.rds_free_storage_gb > 0
    error_message = "rds_free_storage_gb must be positive."
  }
}

variable "redis_memory_percent" {
  type        = number
  description = "Redis memory use in percent, sustained for 3 minutes, that pages someone."
  default     = 75

  validation {
    condition     = var.redis_memory_percent > 0 && var.redis_memory_percent <= 100
    error_message = "redis_memory_percent must be between 1 and 100."
  }
}
