variable "name" {
  type        = string
  description = "Identifier of the DB instance and name prefix, for example count-prod."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}$", var.name))
    error_message = "name must be 2-51 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "engine" {
  type        = string
  description = "mariadb or mysql: the programs and their tests support both (MariaDB 10.6+, MySQL 8.0+)."
  default     = "mariadb"

  validation {
    condition     = contains(["mariadb", "mysql"], var.engine)
    error_message = "engine must be mariadb or mysql."
  }
}

variable "engine_version" {
  type        = string
  description = "Engine version; major.minor lets RDS pick the newest patch. null picks the engine's current long-term release on RDS: MariaDB 11.4 or MySQL 8.4 LTS. The parameter group family (mariadb11.4, mysql8.4) follows from engine and version."
  default     = null

  validation {
    condition     = var.engine_version == null || can(regex("^[0-9]+\\.[0-9]+(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must look like 8.4, 11.4 or 8.4.3."
  }

  validation {
    condition = var.engine_version == null || (
      var.engine == "mysql"
      ? tonumber(split(".", var.engine_version)[0]) >= 8
      : (tonumber(split(".", var.engine_version)[0]) > 10 || (tonumber(split(".", var.engine_version)[0]) == 10 && tonumber(split(".", var.engine_version)[1]) >= 6))
    )
    error_message = "engine_version must be MySQL 8.0 or later, or MariaDB 10.6 or later: the schema and the Consumer's statements need them."
  }
}

variable "instance_class" {
  type        = string
  description = "Instance size, for example db.t4g.micro (non-prod) or db.m7g.large (prod)."
  default     = "db.t4g.micro"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must be an RDS instance class (db.*)."
  }
}

variable "allocated_storage_gb" {
  type        = number
  description = "Initial gp3 storage in GiB."
  default     = 20

  validation {
    condition     = var.allocated_storage_gb >= 20
    error_message = "allocated_storage_gb must be at least 20 (the gp3 minimum)."
  }
}

variable "max_allocated_storage_gb" {
  type        = number
  description = "Ceiling for storage autoscaling in GiB."
  default     = 100

  validation {
    condition     = var.max_allocated_storage_gb >= var.allocated_storage_gb
    error_message = "max_allocated_storage_gb must be at least allocated_storage_gb."
  }
}

variable "master_username" {
  type        = string
  description = "Master user name; its password is generated and rotated by RDS (manage_master_user_password)."
  default     = "dbadmin"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,15}$", var.master_username)) && !contains(["admin", "root", "rdsadmin"], lower(var.master_username))
    error_message = "master_username must be 1-16 letters, digits or _, start with a letter and not be a reserved name."
  }
}

variable "producer_username" {
  type        = string
  description = "Database user of the Producer (SELECT only); created by Consumer db-setup."
  default     = "count_producer"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,25}$", var.producer_username))
    error_message = "producer_username must be 1-26 letters, digits or _, starting with a letter: the alternating-users rotation adds _clone, and MySQL allows 32 characters."
  }
}

variable "consumer_username" {
  type        = string
  description = "Database user of the Consumer (SELECT, INSERT, UPDATE, CREATE, ALTER, INDEX); created by Consumer db-setup."
  default     = "count_consumer"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,25}$", var.consumer_username))
    error_message = "consumer_username must be 1-26 letters, digits or _, starting with a letter: the alternating-users rotation adds _clone, and MySQL allows 32 characters."
  }
}

variable "database_name" {
  type        = string
  description = "Database the programs use (DB_NAME); written as dbname into the programs' secrets, which the rotation function logs in to."
  default     = "count"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,63}$", var.database_name))
    error_message = "database_name must be 1-64 letters, digits or _, starting with a letter."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets of the DB subnet group (at least two AZs)."

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "An RDS subnet group needs subnets in at least two availability zones."
  }
}

variable "security_group_id" {
  type        = string
  description = "Security group of the instance (ingress from the Producer and Consumer only)."
}

variable "multi_az" {
  type        = bool
  description = "Keep a synchronous standby in another AZ with automatic failover (non-production environments turn it off to save cost)."
  default     = true
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse deletion, and take a final snapshot when it is lifted and the instance deleted (prod: true)."
  default     = true
}

variable "backup_retention_days" {
  type        = number
  description = "Days of automated backups (point-in-time recovery window)."
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35: backups stay on in every environment."
  }
}

variable "performance_insights" {
  type        = bool
  description = "Turn on Performance Insights (7 days free tier); not offered on the smallest burstable classes of every engine."
  default     = true
}

variable "enhanced_monitoring_interval" {
  type        = number
  description = "Seconds between Enhanced Monitoring samples (0 turns it off)."
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.enhanced_monitoring_interval)
    error_message = "enhanced_monitoring_interval must be 0, 1, 5, 10, 15, 30 or 60."
  }
}

variable "require_secure_transport" {
  type        = bool
  description = "Refuse connections without TLS (parameter require_secure_transport). The programs' MariaDB client must then trust the RDS certificate authority."
  default     = true
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

variable "rotation_days" {
  type        = number
  description = "Days between automatic rotations of the programs' secrets (alternating users: <user> and <user>_clone), by AWS's multi-user rotation function in the VPC. null: no automatic rotation (rotate by hand, see README)."
  default     = null

  validation {
    condition     = var.rotation_days == null || try(var.rotation_days >= 1 && var.rotation_days <= 90, false)
    error_message = "rotation_days must be null or between 1 and 90 (rotate at least every 90 days)."
  }

  validation {
    condition     = var.rotation_days == null || var.rotation_security_group_id != null
    error_message = "rotation_days needs rotation_security_group_id: the rotation function's security group, which reaches the database and Secrets Manager."
  }
}

variable "rotation_security_group_id" {
  type        = string
  description = "Security group of the rotation function: egress to the database port and to the Secrets Manager endpoint (HTTPS); the database's group admits it. Needed when rotation_days is set."
  default     = null
}

variable "rotation_subnet_ids" {
  type        = list(string)
  description = "Private subnets the rotation function runs in; empty: the database's subnet_ids."
  default     = []
}

variable "rotation_application_version" {
  type        = map(string)
  description = "Semantic version of AWS's rotation application in the Serverless Application Repository, per engine (SecretsManagerRDSMariaDBRotationMultiUser, SecretsManagerRDSMySQLRotationMultiUser)."
  default     = { mariadb = "1.1.670", mysql = "1.1.671" }

  validation {
    condition     = alltrue([for engine in ["mariadb", "mysql"] : can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.rotation_application_version[engine]))])
    error_message = "rotation_application_version must give a semantic version (1.1.670) for both mariadb and mysql."
  }
}
