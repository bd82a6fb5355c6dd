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

locals {
  secret_strings = merge(
    { for key in local.credentials : key => random_password.credential[key].result if key == "auth" },
    {
      for program, user in aws_elasticache_user.program : program => jsonencode({
        username = user.user_name
        password = random_password.credential[program].result
        user_arn = user.arn
      })
    },
  )
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

# Each program reads its own secret itself (REDIS_SECRET) and re-reads it every SECRET_REFRESH_S
# and at once on WRONGPASS, so a password change reaches running tasks without a restart.
# rbac: JSON {username, password, user_arn}, the shape of AWS's ElastiCache user rotation
# template; auth_token: the token as a plain string.
resource "aws_secretsmanager_secret" "credential" {
  #checkov:skip=CKV2_AWS_57:A rotation must change the ElastiCache user's passwords (two valid during the change) before the secret; it is the documented two-password procedure (README, docs/deploy.md), not a rotation function.
  #checkov:skip=CKV_AWS_149:The AWS-managed key (aws/secretsmanager) encrypts it; only the task role of the program that uses it may read it.
  for_each = local.credentials

  name                    = "${var.name}/redis-${each.key}"
  description             = each.key == "auth" ? "Redis AUTH token of ${var.name} (REDIS_SECRET of the Producer and Consumer)." : "Credentials of the Redis user ${var.user_names[each.key]} of ${var.name} (REDIS_SECRET of the ${title(each.key)})."
  recovery_window_in_days = var.secret_recovery_window_days
}

# Terraform writes only the first value; from then on the rotation procedure owns the secret
# (and the user's passwords, see aws_elasticache_user.program), so an apply never puts back a
# password ElastiCache no longer accepts.
resource "aws_secretsmanager_secret_version" "credential" {
  for_each = local.credentials

  secret_id     = aws_secretsmanager_secret.credential[each.key].id
  secret_string = local.secret_strings[each.key]

  lifecycle {
    ignore_changes = [secret_string]
  }
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

  # The first password only: a rotation gives the user two passwords (new and old) while the
  # programs move to the new one, then drops the old (modify-user --passwords), outside Terraform.
  authentication_mode {
    type      = "password"
    passwords = [random_password.credential[each.key].result]
  }

  lifecycle {
    ignore_changes = [authentication_mode]
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
