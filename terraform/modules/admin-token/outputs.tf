output "secret_arn" {
  description = "ARN of the Secrets Manager secret holding ADMIN_TOKEN (for the Producer's task definition secrets)."
  value       = aws_secretsmanager_secret.this.arn
}

output "secret_name" {
  description = "Name of the secret, for `aws secretsmanager get-secret-value --secret-id <name>` when an operator needs the token."
  value       = aws_secretsmanager_secret.this.name
}
