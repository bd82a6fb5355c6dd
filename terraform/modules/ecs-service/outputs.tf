output "service_name" {
  description = "Name of the ECS service (null when create_service is false)."
  value       = try(aws_ecs_service.this[0].name, null)
}

output "task_definition_arn" {
  description = "ARN of the task definition revision (use it with `aws ecs run-task` for one-off tasks)."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_family" {
  description = "Family of the task definition."
  value       = aws_ecs_task_definition.this.family
}

output "container_name" {
  description = "Name of the container in the task definition (for run-task overrides)."
  value       = local.container_name
}

output "log_group_name" {
  description = "CloudWatch log group of the container."
  value       = aws_cloudwatch_log_group.this.name
}

output "execution_role_arn" {
  description = "ARN of the task execution role."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the task role (reads exactly the secret_environment secrets); null when secret_environment is empty."
  value       = try(aws_iam_role.task[0].arn, null)
}

output "program_secret_arns" {
  description = "The secrets the program reads itself (secret_environment values), which the task role may read."
  value       = local.program_secret_arns
}
