# One generated password serves either mode: the group's AUTH token, or the app user's password.
# Alphanumeric only, so it survives shells and URLs unquoted.
resource "random_password" "auth" {
  length  = 64
  special = false
}

# Not rotated automatically: a rotation must update ElastiCache (auth_token_update_strategy
# ROTATE keeps the old token valid meanwhile) and then restart the tasks, which read it at start.
resource "aws_secretsmanager_secret" "auth" {
  #checkov:skip=CKV2_AWS_57:Rotation needs ElastiCache and the ECS tasks to change together; it is a documented manual procedure (see README).
  #checkov:skip=CKV_AWS_149:The AWS-managed key (aws/secretsmanager) encrypts it; only the two task execution roles may read it.
  count = local.auth_enabled ? 1 : 0

  name                    = "${var.name}/redis-auth"
  description             = "Redis AUTH password of ${var.name} (REDIS_PASSWORD of the Producer and Consumer)."
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "auth" {
  count = local.auth_enabled ? 1 : 0

  secret_id     = aws_secretsmanager_secret.auth[0].id
  secret_string = random_password.auth.result
}

# RBAC: the `default` user every user group must contain is switched off; the programs' user may
# touch only the queue's keys (the list itself and the keys hash-tagged with its name).
resource "aws_elasticache_user" "default" {
  count = local.rbac ? 1 : 0

  user_id       = "${var.name}-default"
  user_name     = "default"
  engine        = var.engine
  access_string = "off -@all"

  authentication_mode {
    type = "no-password-required"
  }
}

resource "aws_elasticache_user" "app" {
  count = local.rbac ? 1 : 0

  user_id       = "${var.name}-app"
  user_name     = var.app_user_name
  engine        = var.engine
  access_string = "on ~${var.queue_name} ~{${var.queue_name}}:* +@all -@dangerous +info"

  authentication_mode {
    type      = "password"
    passwords = [random_password.auth.result]
  }
}

resource "aws_elasticache_user_group" "this" {
  count = local.rbac ? 1 : 0

  user_group_id = "${var.name}-users"
  engine        = var.engine
  user_ids      = [aws_elasticache_user.default[0].user_id, aws_elasticache_user.app[0].user_id]
}
