data "aws_region" "current" {}

locals {
  container_name = lower(var.program)
  binary         = "/app/${var.program}"

  # The container health check runs the program's own `healthcheck` subcommand (GET /health on
  # 127.0.0.1). One-off tasks (create_service = false) serve no HTTP, so they get none.
  health_check = var.create_service ? {
    healthCheck = {
      command     = ["CMD", local.binary, "healthcheck"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
  } : {}

  # The secrets' ARNs (never their values) travel as plain variables, with what the program's
  # Secrets Manager client needs to find and re-read them.
  secret_reference_environment = local.task_role ? merge(var.secret_environment, {
    AWS_REGION       = data.aws_region.current.id
    SECRET_REFRESH_S = tostring(var.secret_refresh_seconds)
  }) : {}
  environment = merge(var.environment_variables, local.secret_reference_environment)

  port_mappings = [
    for port in [var.container_port, var.operations_port] : { containerPort = port, protocol = "tcp" } if port != null
  ]
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:The programs never log secrets; CloudWatch's default server-side encryption suffices and avoids a customer-managed key per service.
  #checkov:skip=CKV_AWS_338:Retention is an input (log_retention_days); non-production environments deliberately keep less than a year.
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
}

# The task role exists only for a task that reads its own secrets (secret_environment); its one
# permission is reading them. Without it the container gets no AWS credentials at all (the
# Consumer's metrics leave as EMF lines on stdout, which CloudWatch Logs turns into metrics).
resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = try(aws_iam_role.task[0].arn, null)

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Fargate has no tmpfs: a volume without a host path is task-local ephemeral storage, and it is
  # the only writable place (/tmp) under the read-only root filesystem.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([merge({
    name                   = local.container_name
    image                  = "${var.repository_url}:${var.image_tag}"
    essential              = true
    command                = concat([local.binary], var.command) # the image's CMD picks the program the same way
    user                   = "10001"
    privileged             = false
    readonlyRootFilesystem = true
    portMappings           = local.port_mappings
    environment            = [for key in sort(keys(local.environment)) : { name = key, value = local.environment[key] }]
    secrets                = [for key in sort(keys(var.secrets)) : { name = key, valueFrom = var.secrets[key] }]
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    stopTimeout            = var.stop_timeout_seconds
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.id
        awslogs-stream-prefix = local.container_name
      }
    }
  }, local.health_check)])
}

resource "aws_ecs_service" "this" {
  count = var.create_service ? 1 : 0

  name                   = var.name
  cluster                = var.cluster_arn
  task_definition        = aws_ecs_task_definition.this.arn
  desired_count          = var.min_capacity
  platform_version       = "LATEST"
  enable_execute_command = false
  propagate_tags         = "SERVICE"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.target_group_arn == null ? null : var.health_check_grace_period_seconds

  capacity_provider_strategy {
    capacity_provider = var.capacity_provider
    weight            = 1
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.target_group_arn == null ? [] : [var.target_group_arn]

    content {
      target_group_arn = load_balancer.value
      container_name   = local.container_name
      container_port   = var.container_port
    }
  }

  # Autoscaling owns the task count once the service exists.
  lifecycle {
    ignore_changes = [desired_count]
  }
}
