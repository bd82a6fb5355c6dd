output "alb_security_group_id" {
  description = "Security group of the ALB (ingress from CloudFront only)."
  value       = aws_security_group.this["alb"].id
}

output "producer_security_group_id" {
  description = "Security group of the Producer tasks."
  value       = aws_security_group.this["producer"].id
}

output "consumer_security_group_id" {
  description = "Security group of the Consumer tasks (also used by the one-off db-setup task)."
  value       = aws_security_group.this["consumer"].id
}

output "redis_security_group_id" {
  description = "Security group of the ElastiCache replication group."
  value       = aws_security_group.this["redis"].id
}

output "db_security_group_id" {
  description = "Security group of the RDS instance."
  value       = aws_security_group.this["db"].id
}

output "db_rotation_security_group_id" {
  description = "Security group of the rotation function of the programs' database secrets (egress to the database and the Secrets Manager endpoint only)."
  value       = aws_security_group.this["db_rotation"].id
}

output "secretsmanager_endpoint_security_group_id" {
  description = "Security group of the Secrets Manager interface endpoint (HTTPS from the Producer, the Consumer and the rotation function only)."
  value       = aws_security_group.this["secretsmanager_endpoint"].id
}
