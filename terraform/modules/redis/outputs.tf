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
  description = "User name the Producer sends with AUTH (also in its REDIS_SECRET); empty with an AUTH token or without authentication."
  value       = local.rbac ? var.user_names.producer : ""
}

output "producer_secret_arn" {
  description = "Secrets Manager ARN of the Producer's Redis credentials (its REDIS_SECRET): its own user's JSON {username, password, user_arn} with rbac, the shared AUTH token as a plain string with auth_token; null when authentication is off."
  value       = try(aws_secretsmanager_secret.credential[local.credential_of.producer].arn, null)
}

output "consumer_username" {
  description = "User name the Consumer sends with AUTH (also in its REDIS_SECRET); empty with an AUTH token or without authentication."
  value       = local.rbac ? var.user_names.consumer : ""
}

output "consumer_secret_arn" {
  description = "Secrets Manager ARN of the Consumer's Redis credentials (its REDIS_SECRET): its own user's JSON {username, password, user_arn} with rbac, the shared AUTH token as a plain string with auth_token; null when authentication is off."
  value       = try(aws_secretsmanager_secret.credential[local.credential_of.consumer].arn, null)
}

output "member_clusters" {
  description = "Node IDs (CloudWatch CacheClusterId dimension)."
  value       = sort(aws_elasticache_replication_group.this.member_clusters)
}

output "user_ids" {
  description = "ElastiCache user IDs of the programs (rbac), for `aws elasticache modify-user --user-id` in the two-password rotation; empty otherwise."
  value       = { for program, user in aws_elasticache_user.program : program => user.user_id }
}
