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

output "producer_username" {
  description = "User name the Producer sends with AUTH (its REDIS_USERNAME); empty with an AUTH token or without authentication."
  value       = local.rbac ? var.user_names.producer : ""
}

output "producer_secret_arn" {
  description = "Secrets Manager ARN of the Producer's Redis password (its REDIS_PASSWORD): its own user's with rbac, the shared AUTH token with auth_token; null when authentication is off."
  value       = try(aws_secretsmanager_secret.credential[local.credential_of.producer].arn, null)
}

output "consumer_username" {
  description = "User name the Consumer sends with AUTH (its REDIS_USERNAME); empty with an AUTH token or without authentication."
  value       = local.rbac ? var.user_names.consumer : ""
}

output "consumer_secret_arn" {
  description = "Secrets Manager ARN of the Consumer's Redis password (its REDIS_PASSWORD): its own user's with rbac, the shared AUTH token with auth_token; null when authentication is off."
  value       = try(aws_secretsmanager_secret.credential[local.credential_of.consumer].arn, null)
}

output "member_clusters" {
  description = "Node IDs (CloudWatch CacheClusterId dimension)."
  value       = sort(aws_elasticache_replication_group.this.member_clusters)
}
