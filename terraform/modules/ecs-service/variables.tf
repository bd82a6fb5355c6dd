variable "name" {
  type        = string
  description = "Name of the service, task definition family and log group, for example count-prod-producer."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}$", var.name))
    error_message = "name must be 2-51 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "program" {
  type        = string
  description = "Which executable of the image runs: Producer or Consumer (started as /app/<program>)."

  validation {
    condition     = contains(["Producer", "Consumer"], var.program)
    error_message = "program must be Producer or Consumer."
  }
}

variable "command" {
  type        = list(string)
  description = "Arguments after the program, for example [\"db-setup\"] for the one-off schema task; empty for the long-running services."
  default     = []
}

variable "repository_url" {
  type        = string
  description = "ECR repository URL of the image, without tag."
}

variable "image_tag" {
  type        = string
  description = "Image tag to run (immutable tags; deploy.sh sets TF_VAR_image_tag to the pushed tag)."

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid image tag (letters, digits, _ . -, at most 128 characters)."
  }
}

variable "ecr_repository_arn" {
  type        = string
  description = "ARN of the ECR repository the image comes from; the execution role may pull from it only."
}

variable "cluster_arn" {
  type        = string
  description = "ARN of the ECS cluster."
}

variable "cluster_name" {
  type        = string
  description = "Name of the ECS cluster (autoscaling resource ID and Container Insights dimension)."
}

variable "cpu" {
  type        = number
  description = "Task CPU units (256 = 0.25 vCPU)."
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be a Fargate size: 256, 512, 1024, 2048 or 4096."
  }
}

variable "memory" {
  type        = number
  description = "Task memory in MiB; must suit the cpu value (256 CPU: 512-2048)."
  default     = 512

  validation {
    condition     = var.memory >= 512 && var.memory <= 30720 && var.memory % 512 == 0
    error_message = "memory must be a multiple of 512 MiB between 512 and 30720."
  }
}

variable "cpu_architecture" {
  type        = string
  description = "CPU architecture the image was built for: X86_64 or ARM64 (Graviton, cheaper)."
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "container_port" {
  type        = number
  description = "Port the program listens on (Producer 5080, Consumer 5081); null for a task that serves nothing."
  default     = null

  validation {
    condition     = var.container_port == null || try(var.container_port > 1024 && var.container_port < 65536, false)
    error_message = "container_port must be an unprivileged port (1025-65535): the container runs as user 10001."
  }
}

variable "operations_port" {
  type        = number
  description = "A second port the program listens on for the network only (the Producer's OPS_HTTP_PORT, 5082: /metrics, /ready, /health, the ALB's health checks); null for none."
  default     = null

  validation {
    condition     = var.operations_port == null || try(var.operations_port > 1024 && var.operations_port < 65536, false)
    error_message = "operations_port must be an unprivileged port (1025-65535): the container runs as user 10001."
  }
}

variable "environment_variables" {
  type        = map(string)
  description = "Plain configuration passed as environment variables. Secrets are refused here: name them in `secret_environment` (read by the program) or `secrets` (injected by ECS)."
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.environment_variables) : !can(regex("(PASSWORD|SECRET|TOKEN|_KEY$)", key))])
    error_message = "environment_variables must not carry passwords, secrets, tokens or keys: name their Secrets Manager ARNs in `secret_environment` or `secrets`."
  }
}

variable "secret_environment" {
  type        = map(string)
  description = "Environment variable name (ending in _SECRET, for example DB_SECRET) => Secrets Manager secret ARN. The ARN, never the value, is passed as a plain variable: the program reads the secret itself (GetSecretValue, re-read every SECRET_REFRESH_S and when the server refuses the credential), so a rotation needs no restart. The task role may read exactly these secrets."
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.secret_environment) : can(regex("^[A-Z][A-Z0-9_]*_SECRET$", key))])
    error_message = "secret_environment keys must be variable names ending in _SECRET (DB_SECRET, REDIS_SECRET)."
  }

  validation {
    condition     = alltrue([for arn in values(var.secret_environment) : can(regex("^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+$", arn))])
    error_message = "every secret_environment value must be a whole Secrets Manager secret ARN (no :json-key:: suffix: the program reads the JSON itself)."
  }
}

variable "secret_kms_key_arns" {
  type        = list(string)
  description = "Customer-managed KMS keys that encrypt the secret_environment secrets; the task role may kms:Decrypt with them only through Secrets Manager (kms:ViaService). Empty for secrets under the AWS-managed key aws/secretsmanager."
  default     = []

  validation {
    condition     = alltrue([for arn in var.secret_kms_key_arns : can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/", arn))])
    error_message = "secret_kms_key_arns must be KMS key ARNs (arn:aws:kms:region:account:key/id)."
  }
}

variable "secret_refresh_seconds" {
  type        = number
  description = "SECRET_REFRESH_S of the program: seconds between re-reads of the secret_environment secrets (it also re-reads at once when the server refuses the credential). Passed only when secret_environment is not empty."
  default     = 300

  validation {
    condition     = var.secret_refresh_seconds >= 30 && var.secret_refresh_seconds <= 86400
    error_message = "secret_refresh_seconds must be between 30 and 86400."
  }
}

variable "secrets" {
  type        = map(string)
  description = "Environment variable name => Secrets Manager valueFrom (secret ARN, optionally followed by :json-key::), injected by ECS when a task starts: for values the program does not read itself (ADMIN_TOKEN; the one-off db-setup's credentials). The execution role may read exactly these secrets. DB_PASSWORD and REDIS_PASSWORD are refused: pass DB_SECRET and REDIS_SECRET in secret_environment."
  default     = {}

  validation {
    condition     = alltrue([for value_from in values(var.secrets) : can(regex("^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:", value_from))])
    error_message = "every secrets value must be a Secrets Manager secret ARN (arn:aws:secretsmanager:region:account:secret:name[:json-key::])."
  }

  validation {
    condition     = length(setintersection(keys(var.secrets), ["DB_USER", "DB_PASSWORD", "REDIS_USERNAME", "REDIS_PASSWORD"])) == 0
    error_message = "the programs' own credentials must not be injected: name their secrets in secret_environment (DB_SECRET, REDIS_SECRET) so a rotation reaches running tasks."
  }

  validation {
    condition     = length(setintersection(keys(var.secrets), keys(var.secret_environment))) == 0
    error_message = "a variable cannot be both in secrets and in secret_environment."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets the tasks run in (no public IP is assigned)."

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids must name at least one subnet."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the tasks."
}

variable "log_retention_days" {
  type        = number
  description = "Days CloudWatch keeps the container logs."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the retention periods CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "stop_timeout_seconds" {
  type        = number
  description = "Seconds between SIGTERM and SIGKILL; the programs drain in-flight work in this time."
  default     = 30

  validation {
    condition     = var.stop_timeout_seconds >= 2 && var.stop_timeout_seconds <= 120
    error_message = "stop_timeout_seconds must be between 2 and 120 (Fargate's limit)."
  }
}

variable "create_service" {
  type        = bool
  description = "false: only the task definition is made, for one-off tasks started with `aws ecs run-task` (for example `Consumer db-setup`)."
  default     = true
}

variable "capacity_provider" {
  type        = string
  description = "FARGATE, or FARGATE_SPOT (up to 70% cheaper, tasks may be stopped with a two-minute warning; the programs drain on SIGTERM)."
  default     = "FARGATE"

  validation {
    condition     = contains(["FARGATE", "FARGATE_SPOT"], var.capacity_provider)
    error_message = "capacity_provider must be FARGATE or FARGATE_SPOT."
  }
}

variable "target_group_arn" {
  type        = string
  description = "ALB target group to register the tasks in; null for a service without a load balancer (the Consumer)."
  default     = null
}

variable "health_check_grace_period_seconds" {
  type        = number
  description = "Seconds the ALB's failing health checks are ignored after a task starts (only with a target group)."
  default     = 30

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 600
    error_message = "health_check_grace_period_seconds must be between 0 and 600."
  }
}

variable "min_capacity" {
  type        = number
  description = "Fewest running tasks (also the initial desired count). prod uses at least 2."
  default     = 1

  validation {
    condition     = var.min_capacity >= 0
    error_message = "min_capacity must not be negative."
  }
}

variable "max_capacity" {
  type        = number
  description = "Most running tasks autoscaling may start."
  default     = 2

  validation {
    condition     = var.max_capacity >= var.min_capacity
    error_message = "max_capacity must be at least min_capacity."
  }
}

variable "scaling_metric" {
  type        = string
  description = "What autoscaling tracks: alb_requests (requests per target, Producer), cpu (average CPU, Producer), queue_backlog (queued messages per running task, Consumer) or none."
  default     = "none"

  validation {
    condition     = contains(["alb_requests", "cpu", "queue_backlog", "none"], var.scaling_metric)
    error_message = "scaling_metric must be alb_requests, cpu, queue_backlog or none."
  }

  validation {
    condition     = var.scaling_metric != "alb_requests" || var.alb_resource_label != null
    error_message = "scaling_metric = alb_requests needs alb_resource_label."
  }

  validation {
    condition     = var.scaling_metric != "queue_backlog" || (var.queue_metric_namespace != null && length(var.queue_metric_dimensions) > 0)
    error_message = "scaling_metric = queue_backlog needs queue_metric_namespace and queue_metric_dimensions (the Consumer's METRICS_EMF_NAMESPACE, Environment and Queue)."
  }
}

variable "scaling_target" {
  type        = number
  description = "Target value of the tracked metric: requests per task per minute, CPU percent, or queued messages per task."
  default     = 70

  validation {
    condition     = var.scaling_target > 0
    error_message = "scaling_target must be positive."
  }
}

variable "alb_resource_label" {
  type        = string
  description = "app/<alb-name>/<id>/targetgroup/<tg-name>/<id>, for scaling_metric = alb_requests."
  default     = null
}

variable "queue_metric_namespace" {
  type        = string
  description = "CloudWatch namespace of the Consumer's EMF metrics (its METRICS_EMF_NAMESPACE), for scaling_metric = queue_backlog."
  default     = null
}

variable "queue_metric_dimensions" {
  type        = map(string)
  description = "Dimensions of the Consumer's QueueDepth metric: Environment (ENVIRONMENT_NAME) and Queue (REDIS_QUEUE)."
  default     = {}
}
