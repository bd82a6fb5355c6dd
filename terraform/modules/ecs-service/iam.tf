locals {
  # A `valueFrom` may name a JSON key (arn:...:secret:name-AbCdEf:password::); IAM wants the secret's own ARN.
  secret_arns = distinct([for value_from in values(var.secrets) : join(":", slice(split(":", value_from), 0, 7))])

  # The secrets the program itself reads (DB_SECRET, REDIS_SECRET): the task role's only permission.
  program_secret_arns = sort(distinct(values(var.secret_environment)))
  task_role           = length(local.program_secret_arns) > 0
}

data "aws_iam_policy_document" "tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# The execution role is what ECS itself uses to start a task: pull the image, create the log
# stream, and read exactly the secrets injected through `secrets` (ADMIN_TOKEN, db-setup's
# credentials). Nothing else; the secrets the program reads itself are the task role's.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # this action has no resource-level permissions
  }

  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = length(local.secret_arns) > 0 ? [local.secret_arns] : []

    content {
      sid       = "ReadOwnSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = statement.value
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-task"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# The task role is what the running program's AWS calls are signed with (the ECS container
# credentials endpoint): GetSecretValue on exactly the secrets named in secret_environment, and
# kms:Decrypt on their customer-managed keys only when Secrets Manager asks on its behalf.
resource "aws_iam_role" "task" {
  count = local.task_role ? 1 : 0

  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  count = local.task_role ? 1 : 0

  statement {
    sid       = "ReadProgramSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.program_secret_arns
  }

  dynamic "statement" {
    for_each = length(var.secret_kms_key_arns) > 0 ? [sort(var.secret_kms_key_arns)] : []

    content {
      sid       = "DecryptProgramSecretsThroughSecretsManager"
      actions   = ["kms:Decrypt"]
      resources = statement.value

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${data.aws_region.current.id}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "task" {
  count = local.task_role ? 1 : 0

  name   = "read-own-secrets"
  role   = aws_iam_role.task[0].id
  policy = data.aws_iam_policy_document.task[0].json
}
