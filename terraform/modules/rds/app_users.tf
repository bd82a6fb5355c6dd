# The programs' own database users, created by `Consumer db-setup`: the Producer may only read,
# the Consumer may read, insert, update and manage its schema. Each has its own secret, which
# the program reads itself (DB_SECRET). The secret has the shape of RDS credentials that AWS's
# rotation functions expect: username, password, engine, host, port, dbname, and (rotated
# environments) masterarn, the secret of the user that may create and alter users.
locals {
  app_users = {
    producer = var.producer_username
    consumer = var.consumer_username
  }
  rotation = var.rotation_days != null
}

resource "random_password" "app_user" {
  for_each = local.app_users

  length  = 40
  special = false
}

resource "aws_secretsmanager_secret" "app_user" {
  #checkov:skip=CKV2_AWS_57:Rotation is per environment (rotation_days): stage and prod rotate through aws_secretsmanager_secret_rotation.app_user below; test and dev rotate by hand (README).
  #checkov:skip=CKV_AWS_149:The AWS-managed key (aws/secretsmanager) encrypts it; only the matching program's task role (and the db-setup task) may read it.
  for_each = local.app_users

  name                    = "${var.name}/db-${each.key}"
  description             = "MariaDB user of the ${each.key} (${each.value}, alternating with ${each.value}_clone when rotated); created by Consumer db-setup."
  recovery_window_in_days = var.secret_recovery_window_days
}

# Terraform writes only the first value. From then on the secret belongs to its rotation
# function (which switches it between <user> and <user>_clone) or to an operator's
# put-secret-value: re-applying must never put back a password the database no longer has.
resource "aws_secretsmanager_secret_version" "app_user" {
  for_each = local.app_users

  secret_id = aws_secretsmanager_secret.app_user[each.key].id
  secret_string = jsonencode(merge(
    {
      engine   = var.engine
      host     = aws_db_instance.this.address
      port     = aws_db_instance.this.port
      dbname   = var.database_name
      username = each.value
      password = random_password.app_user[each.key].result
    },
    local.rotation ? { masterarn = aws_db_instance.this.master_user_secret[0].secret_arn } : {},
  ))

  lifecycle {
    ignore_changes = [secret_string]
  }
}
