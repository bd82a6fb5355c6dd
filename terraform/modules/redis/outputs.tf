output "primary_endpoint_address" {
  description = "Host name of the primary (REDIS_HOST); it follows failovers."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Port of the nodes (REDIS_PORT)."
  value       = aws_elasticache_replication_group.this.port
}

output "tls_enabled" {
  description = "Whether the programs must connect with TLS (REDIS_TLS)."
  value       = var.transit_encryption_enabled
}

output "username" {
  description = "User name to send with AUTH (REDIS_USERNAME); empty with an AUTH token or without authentication."
  value       = local.rbac ? var.app_user_name : ""
}

output "auth_secret_arn" {
  description = "Secrets Manager ARN of the Redis password (REDIS_PASSWORD); null when authentication is off."
  value       = try(aws_secretsmanager_secret.auth[0].arn, null)
}

output "member_clusters" {
  description = "Node IDs (CloudWatch CacheClusterId dimension)."
  value       = sort(aws_elasticache_replication_group.this.member_clusters)
}
