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
  description = "Secrets Manager ARN of the Producer's database user (JSON keys username, password)."
  value       = aws_secretsmanager_secret.app_user["producer"].arn
}

output "consumer_secret_arn" {
  description = "Secrets Manager ARN of the Consumer's database user (JSON keys username, password)."
  value       = aws_secretsmanager_secret.app_user["consumer"].arn
}
