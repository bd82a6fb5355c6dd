locals {
  # The Redis rules of each program. acl/*.tftpl is their single source of truth: the Swift
  # integration tests apply the same files to a real redis-server, so a rule the code needs and
  # the template lacks fails there, not in production.
  access_strings = {
    for program in ["producer", "consumer"] :
    program => trimspace(templatefile("${path.module}/acl/${program}.tftpl", { queue = var.queue_name }))
  }

  # Which secret each program reads: its own user's password (rbac), or the group's one AUTH
  # token that both share (auth_token); none without authentication.
  credential_of = { for program in keys(local.access_strings) : program => (local.rbac ? program : "auth") if local.auth_enabled }
  credentials   = toset(values(local.credential_of))
}

# An earlier version kept the AUTH token unkeyed; these keep an existing token (and its secret).
moved {
  from = random_password.auth
  to   = random_password.credential["auth"]
}

moved {
  from = aws_secretsmanager_secret.auth[0]
  to   = aws_secretsmanager_secret.credential["auth"]
}

moved {
  from = aws_secretsmanager_secret_version.auth[0]
  to   = aws_secretsmanager_secret_version.credential["auth"]
}

# "auth": the group's AUTH token; "producer", "consumer": the RBAC users' passwords.
# Alphanumeric only, so they survive shells and URLs unquoted.
resource "random_password" "credential" {
  for_each = local.credentials

  length  = 64
  special = false
}

# Not rotated automatically: a rotation must update ElastiCache (auth_token_update_strategy
# ROTATE keeps the old token valid meanwhile) and then restart the tasks, which read it at start.
resource "aws_secretsmanager_secret" "credential" {
  #checkov:skip=CKV2_AWS_57:Rotation needs ElastiCache and the ECS tasks to change together; it is a documented manual procedure (see README).
  #checkov:skip=CKV_AWS_149:The AWS-managed key (aws/secretsmanager) encrypts it; only the task execution roles that name it may read it.
  for_each = local.credentials

  name                    = "${var.name}/redis-${each.key}"
  description             = each.key == "auth" ? "Redis AUTH token of ${var.name} (REDIS_PASSWORD of the Producer and Consumer)." : "Password of the Redis user ${var.user_names[each.key]} of ${var.name} (REDIS_PASSWORD of the ${title(each.key)})."
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "credential" {
  for_each = local.credentials

  secret_id     = aws_secretsmanager_secret.credential[each.key].id
  secret_string = random_password.credential[each.key].result
}

# RBAC: the `default` user every user group must contain is switched off; each program has its
# own user, limited to the queue's keys (the list itself and the keys hash-tagged with its name)
# and to the commands its code sends.
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

resource "aws_elasticache_user" "program" {
  for_each = local.rbac ? local.access_strings : {}

  user_id       = "${var.name}-${each.key}"
  user_name     = var.user_names[each.key]
  engine        = var.engine
  access_string = each.value

  authentication_mode {
    type      = "password"
    passwords = [random_password.credential[each.key].result]
  }
}

resource "aws_elasticache_user_group" "this" {
  count = local.rbac ? 1 : 0

  user_group_id = "${var.name}-users"
  engine        = var.engine
  user_ids = concat(
    [aws_elasticache_user.default[0].user_id],
    [for program in keys(local.access_strings) : aws_elasticache_user.program[program].user_id],
  )
}
