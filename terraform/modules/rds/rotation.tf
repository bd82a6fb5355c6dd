# Rotation of the programs' secrets in the alternating-users style: AWS's multi-user rotation
# function logs in with the master secret (masterarn), gives <user>_clone (created on the first
# rotation with <user>'s grants) a new password and makes the secret name it; the next rotation
# switches back. The user the running tasks hold stays valid until the rotation after, so a
# program that re-reads the secret within rotation_days loses no connection.
#
# The function is AWS's own template from the Serverless Application Repository (its source:
# github.com/aws-samples/aws-secrets-manager-rotation-lambdas), deployed into the VPC's private
# subnets with a security group that reaches the database and Secrets Manager (the VPC endpoint).
data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  rotation_application = {
    mariadb = "SecretsManagerRDSMariaDBRotationMultiUser"
    mysql   = "SecretsManagerRDSMySQLRotationMultiUser"
  }[var.engine]
  rotation_function_name = "${var.name}-db-rotation"
}

resource "aws_serverlessapplicationrepository_cloudformation_stack" "rotation" {
  count = local.rotation ? 1 : 0

  name             = local.rotation_function_name
  application_id   = "arn:${data.aws_partition.current.partition}:serverlessrepo:us-east-1:297356227824:applications/${local.rotation_application}"
  semantic_version = var.rotation_application_version[var.engine]
  # The template makes the function's own role and the resource policy that lets Secrets Manager invoke it.
  capabilities = ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"]

  parameters = {
    # With the endpoint's private DNS the public name resolves to the VPC endpoint.
    endpoint            = "https://secretsmanager.${data.aws_region.current.id}.${data.aws_partition.current.dns_suffix}"
    functionName        = local.rotation_function_name
    vpcSubnetIds        = join(",", coalescelist(var.rotation_subnet_ids, var.subnet_ids))
    vpcSecurityGroupIds = var.rotation_security_group_id
    masterSecretArn     = aws_db_instance.this.master_user_secret[0].secret_arn
    # Characters that would need quoting in a shell or a connection URL stay out of new passwords.
    excludeCharacters = "/@\"'\\`$&;:,%#?{}[]<>|~ "
  }
}

# rotate_immediately = false: the first rotation waits for the schedule, by which time deploy.sh
# has run db-setup and the user the rotation copies its grants from exists.
resource "aws_secretsmanager_secret_rotation" "app_user" {
  #checkov:skip=CKV_AWS_304:The period is the input rotation_days, whose validation refuses more than 90 days; checkov cannot read a variable.
  for_each = local.rotation ? local.app_users : {}

  secret_id           = aws_secretsmanager_secret.app_user[each.key].id
  rotation_lambda_arn = aws_serverlessapplicationrepository_cloudformation_stack.rotation[0].outputs.RotationLambdaARN
  rotate_immediately  = false

  rotation_rules {
    automatically_after_days = var.rotation_days
  }

  depends_on = [aws_secretsmanager_secret_version.app_user]
}
