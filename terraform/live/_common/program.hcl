# Shared by the three units that run the image through the ecs-service module: producer,
# consumer (long-running services) and db-setup (a task definition for the one-off
# `Consumer db-setup`). The unit's folder name picks its program-specific part below.
locals {
  env  = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  app  = read_terragrunt_config(find_in_parent_folders("app.hcl")).locals
  unit = basename(get_terragrunt_dir())
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//ecs-service"
}

dependency "vpc" {
  config_path = "${get_terragrunt_dir()}/../vpc"

  mock_outputs = {
    private_subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "security_groups" {
  config_path = "${get_terragrunt_dir()}/../security-groups"

  mock_outputs = {
    producer_security_group_id = "sg-0123456789abcdef1"
    consumer_security_group_id = "sg-0123456789abcdef2"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "ecr" {
  config_path = "${get_terragrunt_dir()}/../ecr"

  mock_outputs = {
    repository_urls = {
      producer = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/count-pipeline/mock/producer"
      consumer = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/count-pipeline/mock/consumer"
    }
    repository_arns = {
      producer = "arn:aws:ecr:eu-west-1:123456789012:repository/count-pipeline/mock/producer"
      consumer = "arn:aws:ecr:eu-west-1:123456789012:repository/count-pipeline/mock/consumer"
    }
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "cluster" {
  config_path = "${get_terragrunt_dir()}/../ecs-cluster"

  mock_outputs = {
    cluster_arn  = "arn:aws:ecs:eu-west-1:123456789012:cluster/count-mock"
    cluster_name = "count-mock"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "redis" {
  config_path = "${get_terragrunt_dir()}/../redis"

  mock_outputs = {
    primary_endpoint_address = "master.count-mock.abcdef.euw1.cache.amazonaws.com"
    port                     = 6379
    tls_enabled              = true
    producer_secret_arn      = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:count-mock/redis-producer-AbCdEf"
    consumer_secret_arn      = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:count-mock/redis-consumer-AbCdEf"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "rds" {
  config_path = "${get_terragrunt_dir()}/../rds"

  mock_outputs = {
    address                = "count-mock.abcdefghijkl.eu-west-1.rds.amazonaws.com"
    port                   = 3306
    producer_secret_arn    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:count-mock/db-producer-AbCdEf"
    consumer_secret_arn    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:count-mock/db-consumer-AbCdEf"
    master_user_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0123-AbCdEf"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "admin_token" {
  config_path = "${get_terragrunt_dir()}/../admin-token"

  mock_outputs = {
    secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:count-mock/admin-token-AbCdEf"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "alb" {
  config_path = "${get_terragrunt_dir()}/../alb"

  mock_outputs = {
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/count-mock-producer/0123456789abcdef"
    resource_label   = "app/count-mock/0123456789abcdef/targetgroup/count-mock-producer/0123456789abcdef"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = merge(
  {
    name               = "${local.env.name_prefix}-${local.unit}"
    cluster_arn        = dependency.cluster.outputs.cluster_arn
    cluster_name       = dependency.cluster.outputs.cluster_name
    subnet_ids         = dependency.vpc.outputs.private_subnet_ids
    log_retention_days = local.env.log_retention_days
    # image_tag comes from TF_VAR_image_tag, set by deploy.sh to the tag it pushed.

    # Plain settings only. The programs' credentials are in `secret_environment` below: the ARNs
    # of their secrets, which they read themselves (and re-read, so a rotation needs no restart);
    # the user names are in those secrets. The database requires TLS (require_secure_transport),
    # checked against the RDS CA bundle the image carries.
    environment_variables = merge(
      {
        REDIS_HOST     = dependency.redis.outputs.primary_endpoint_address
        REDIS_PORT     = tostring(dependency.redis.outputs.port)
        REDIS_TLS      = tostring(dependency.redis.outputs.tls_enabled)
        REDIS_QUEUE    = local.app.queue_name
        DB_HOST        = dependency.rds.outputs.address
        DB_PORT        = tostring(dependency.rds.outputs.port)
        DB_NAME        = local.app.database_name
        DB_TLS         = "true"
        DB_TLS_CA_FILE = local.app.rds_ca_file
        LOG_FORMAT     = "json"
      },
      {
        producer = {
          HTTP_HOST     = "0.0.0.0"
          HTTP_PORT     = tostring(local.app.producer_port)
          OPS_HTTP_PORT = tostring(local.app.producer_ops_port)

          # CloudFront writes the viewer into X-Forwarded-For and the ALB appends CloudFront:
          # two hops to believe, should RATE_LIMIT_PER_SECOND be turned on (WAF limits already).
          TRUSTED_PROXY_HOPS = "2"
        }
        consumer = {
          HTTP_HOST             = "0.0.0.0"
          CONSUMER_HTTP_PORT    = tostring(local.app.consumer_port)
          METRICS_EMF_NAMESPACE = local.app.metrics_namespace
          ENVIRONMENT_NAME      = local.env.environment
        }
        "db-setup" = {}
      }[local.unit],
    )
  },
  {
    producer = {
      program            = "Producer"
      container_port     = local.app.producer_port
      operations_port    = local.app.producer_ops_port
      repository_url     = dependency.ecr.outputs.repository_urls.producer
      ecr_repository_arn = dependency.ecr.outputs.repository_arns.producer
      security_group_ids = [dependency.security_groups.outputs.producer_security_group_id]
      target_group_arn   = dependency.alb.outputs.target_group_arn
      scaling_metric     = "alb_requests"
      alb_resource_label = dependency.alb.outputs.resource_label
      scaling_target     = 1000 # requests per task per minute
      # Its own database user (SELECT only) and its own Redis user (acl/producer.tftpl); the task
      # role may read exactly these two secrets.
      secret_environment = {
        DB_SECRET    = dependency.rds.outputs.producer_secret_arn
        REDIS_SECRET = dependency.redis.outputs.producer_secret_arn
      }
      # Injected by ECS at start (the execution role reads it): turns on /api/admin/... (dead
      # letters, pause, resume) behind this bearer token; the Producer does not re-read it.
      secrets = {
        ADMIN_TOKEN = dependency.admin_token.outputs.secret_arn
      }
    }

    consumer = {
      program                = "Consumer"
      container_port         = local.app.consumer_port
      repository_url         = dependency.ecr.outputs.repository_urls.consumer
      ecr_repository_arn     = dependency.ecr.outputs.repository_arns.consumer
      security_group_ids     = [dependency.security_groups.outputs.consumer_security_group_id]
      scaling_metric         = "queue_backlog"
      scaling_target         = 500 # queued messages per running task
      queue_metric_namespace = local.app.metrics_namespace
      queue_metric_dimensions = {
        Environment = local.env.environment
        Queue       = local.app.queue_name
      }
      secret_environment = {
        DB_SECRET    = dependency.rds.outputs.consumer_secret_arn
        REDIS_SECRET = dependency.redis.outputs.consumer_secret_arn
      }
    }

    # The only task that may read the RDS master secret; it creates the database, the schema
    # and the two programs' users with the passwords from their own secrets. A one-off task
    # that reads its settings once, so ECS injects them (Consumer db-setup reads no *_SECRET).
    # Each program's user name comes from its secret too: after a rotation that is the user the
    # secret names now (<user> or <user>_clone), so db-setup re-states the current pair and never
    # resets the other user of the alternation.
    "db-setup" = {
      program            = "Consumer"
      command            = ["db-setup"]
      create_service     = false
      repository_url     = dependency.ecr.outputs.repository_urls.consumer
      ecr_repository_arn = dependency.ecr.outputs.repository_arns.consumer
      security_group_ids = [dependency.security_groups.outputs.consumer_security_group_id]
      secrets = {
        DB_ADMIN_USER        = "${dependency.rds.outputs.master_user_secret_arn}:username::"
        DB_ADMIN_PASSWORD    = "${dependency.rds.outputs.master_user_secret_arn}:password::"
        PRODUCER_DB_USER     = "${dependency.rds.outputs.producer_secret_arn}:username::"
        PRODUCER_DB_PASSWORD = "${dependency.rds.outputs.producer_secret_arn}:password::"
        CONSUMER_DB_USER     = "${dependency.rds.outputs.consumer_secret_arn}:username::"
        CONSUMER_DB_PASSWORD = "${dependency.rds.outputs.consumer_secret_arn}:password::"
      }
    }
  }[local.unit],
)
