variable "name" {
  type        = string
  description = "Replication group ID and name prefix, for example count-prod."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "engine" {
  type        = string
  description = "redis or valkey (wire-compatible; valkey nodes cost less)."
  default     = "redis"

  validation {
    condition     = contains(["redis", "valkey"], var.engine)
    error_message = "engine must be redis or valkey."
  }
}

variable "engine_version" {
  type        = string
  description = "Engine version, major.minor (for example 7.1 for redis, 8.0 for valkey)."
  default     = "7.1"
}

variable "parameter_group_family" {
  type        = string
  description = "Parameter group family matching engine and version (redis7, valkey8)."
  default     = "redis7"
}

variable "node_type" {
  type        = string
  description = "Node size, for example cache.t4g.micro (non-prod) or cache.m7g.large (prod)."
  default     = "cache.t4g.micro"

  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "node_type must be an ElastiCache node type (cache.*)."
  }
}

variable "port" {
  type        = number
  description = "TCP port of the nodes."
  default     = 6379
}

variable "replica_count" {
  type        = number
  description = "Read replicas besides the primary; at least 1 for automatic failover (prod: 2, one per extra AZ; 0 in cheap environments)."
  default     = 1

  validation {
    condition     = var.replica_count >= 0 && var.replica_count <= 5
    error_message = "replica_count must be between 0 and 5."
  }
}

variable "automatic_failover" {
  type        = bool
  description = "Promote a replica when the primary fails (needs replica_count >= 1)."
  default     = true

  validation {
    condition     = !var.automatic_failover || var.replica_count >= 1
    error_message = "automatic_failover needs replica_count >= 1."
  }
}

variable "multi_az" {
  type        = bool
  description = "Place replicas in other AZs and fail over across AZs (needs automatic_failover)."
  default     = true

  validation {
    condition     = !var.multi_az || var.automatic_failover
    error_message = "multi_az needs automatic_failover = true."
  }
}

variable "transit_encryption_enabled" {
  type        = bool
  description = "TLS between the programs and Redis (REDIS_TLS=true). ElastiCache allows AUTH only with TLS, so false also turns authentication off: use it only for an image whose hiredis lacks TLS."
  default     = true
}

variable "auth_mode" {
  type        = string
  description = "auth_token: one AUTH token for the group, shared by both programs; rbac: a user group whose `default` user is off and where the Producer and the Consumer each have their own user (rules in acl/*.tftpl) and password (REDIS_SECRET: JSON username, password, user_arn)."
  default     = "auth_token"

  validation {
    condition     = contains(["auth_token", "rbac"], var.auth_mode)
    error_message = "auth_mode must be auth_token or rbac."
  }
}

variable "user_names" {
  type = object({
    producer = string
    consumer = string
  })
  description = "RBAC user name of each program (auth_mode = rbac); their rules are acl/producer.tftpl and acl/consumer.tftpl."
  default = {
    producer = "producer"
    consumer = "consumer"
  }

  validation {
    condition     = alltrue([for name in values(var.user_names) : can(regex("^[A-Za-z][A-Za-z0-9_-]{0,39}$", name)) && lower(name) != "default"])
    error_message = "user_names must be 1-40 letters, digits, _ or -, start with a letter, and not be \"default\"."
  }

  validation {
    condition     = var.user_names.producer != var.user_names.consumer
    error_message = "user_names.producer and user_names.consumer must differ: each program has its own user."
  }
}

variable "queue_name" {
  type        = string
  description = "REDIS_QUEUE; the RBAC users are limited to this key and the keys hash-tagged {queue_name}."
  default     = "count_queue"

  validation {
    condition     = can(regex("^[A-Za-z0-9_:.-]+$", var.queue_name))
    error_message = "queue_name may hold letters, digits and _ : . - only."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets of the nodes."
}

variable "security_group_id" {
  type        = string
  description = "Security group of the nodes (ingress from the Producer and Consumer only)."
}

variable "snapshot_retention_days" {
  type        = number
  description = "Days of daily snapshots kept (0 turns them off)."
  default     = 1

  validation {
    condition     = var.snapshot_retention_days >= 0 && var.snapshot_retention_days <= 35
    error_message = "snapshot_retention_days must be between 0 and 35."
  }
}

variable "apply_immediately" {
  type        = bool
  description = "Apply changes now instead of in the maintenance window."
  default     = false
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
