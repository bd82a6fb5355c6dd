# The programs' own database users, created by `Consumer db-setup`: the Producer may only read,
# the Consumer may read, insert, update and manage its schema. Each has its own secret
# ({"username", "password"}), read by ECS when a task starts.
locals {
  app_users = {
    producer = var.producer_username
    consumer = var.consumer_username
  }
}

resource "random_password" "app_user" {
  for_each = local.app_users

  length  = 40
  special = false
}

# Not rotated automatically: the users are created by db-setup, not by RDS, so a rotation is the
# documented manual procedure (new value here, db-setup again, new deployment).
resource "aws_secretsmanager_secret" "app_user" {
  #checkov:skip=CKV2_AWS_57:The programs' users are not managed by RDS; rotation is a documented manual procedure (see README).
  #checkov:skip=CKV_AWS_149:The AWS-managed key (aws/secretsmanager) encrypts it; only the matching task execution roles may read it.
  for_each = local.app_users

  name                    = "${var.name}/db-${each.key}"
  description             = "MariaDB user of the ${each.key} (${each.value}); created by Consumer db-setup."
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "app_user" {
  for_each = local.app_users

  secret_id     = aws_secretsmanager_secret.app_user[each.key].id
  secret_string = jsonencode({ username = each.value, password = random_password.app_user[each.key].result })
}
