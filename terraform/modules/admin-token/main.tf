# The bearer token of the Producer's /admin routes (ADMIN_TOKEN). Alphanumeric, so it survives
# shells and headers unquoted; 48 characters are far beyond guessing.
resource "random_password" "this" {
  length  = 48
  special = false
}

# Not rotated automatically: the Producer reads ADMIN_TOKEN at start, so a rotation is a new
# secret version followed by a redeploy of the Producer (see docs/operations-queue.md).
resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:Rotation means restarting the Producer tasks, which read the token at start; it is a documented manual procedure (docs/operations-queue.md).
  #checkov:skip=CKV_AWS_149:The AWS-managed key (aws/secretsmanager) encrypts it; only the Producer's task execution role names it.
  name                    = "${var.name}/admin-token"
  description             = "ADMIN_TOKEN of ${var.name}'s Producer: the bearer token of its /admin routes (dead letters, pause, resume)."
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "this" {
  secret_id     = aws_secretsmanager_secret.this.id
  secret_string = random_password.this.result
}
