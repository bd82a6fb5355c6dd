output "address" {
  description = "Host name of the instance (DB_HOST); it follows Multi-AZ failovers."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the instance (DB_PORT)."
  value       = aws_db_instance.this.port
}

output "identifier" {
  description = "DB instance identifier (CloudWatch DBInstanceIdentifier dimension)."
  value       = aws_db_instance.this.identifier
}

output "master_user_secret_arn" {
  description = "Secrets Manager ARN of the RDS-managed master secret (keys username, password); for the db-setup task only."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "producer_username" {
  description = "Database user of the Producer (DB_USER)."
  value       = var.producer_username
}

output "consumer_username" {
  description = "Database user of the Consumer (DB_USER)."
  value       = var.consumer_username
}

output "producer_secret_arn" {
  description = "Secrets Manager ARN of the Producer's database credentials (its DB_SECRET; JSON keys username, password, engine, host, port, dbname, masterarn when rotated)."
  value       = aws_secretsmanager_secret.app_user["producer"].arn
}

output "consumer_secret_arn" {
  description = "Secrets Manager ARN of the Consumer's database credentials (its DB_SECRET; JSON keys username, password, engine, host, port, dbname, masterarn when rotated)."
  value       = aws_secretsmanager_secret.app_user["consumer"].arn
}

output "rotation_function_arn" {
  description = "ARN of the rotation function of the programs' secrets; null without rotation (rotation_days = null)."
  value       = try(aws_serverlessapplicationrepository_cloudformation_stack.rotation[0].outputs.RotationLambdaARN, null)
}

output "rotation_days" {
  description = "Days between automatic rotations of the programs' secrets; null when they rotate only by hand."
  value       = var.rotation_days
}
