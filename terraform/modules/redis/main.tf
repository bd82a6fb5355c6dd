locals {
  # ElastiCache accepts AUTH tokens and RBAC users only with encryption in transit.
  auth_enabled = var.transit_encryption_enabled
  rbac         = local.auth_enabled && var.auth_mode == "rbac"
  token_auth   = local.auth_enabled && var.auth_mode == "auth_token"
}

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

# A queue must never lose data to eviction: with noeviction a full Redis refuses writes (the
# Producer answers 503/429) instead of silently dropping messages.
resource "aws_elasticache_parameter_group" "this" {
  name   = "${var.name}-queue"
  family = var.parameter_group_family

  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }
}

resource "aws_elasticache_replication_group" "this" {
  #checkov:skip=CKV_AWS_191:At-rest encryption is on with the ElastiCache service key; a customer-managed key adds cost and key administration without changing who can read the queue.
  replication_group_id = var.name
  description          = "count-pipeline queue (${var.name})"
  engine               = var.engine
  engine_version       = var.engine_version
  node_type            = var.node_type
  port                 = var.port
  parameter_group_name = aws_elasticache_parameter_group.this.name
  subnet_group_name    = aws_elasticache_subnet_group.this.name
  security_group_ids   = [var.security_group_id]

  num_cache_clusters         = 1 + var.replica_count
  automatic_failover_enabled = var.automatic_failover
  multi_az_enabled           = var.multi_az

  at_rest_encryption_enabled = true
  transit_encryption_enabled = var.transit_encryption_enabled
  auth_token                 = local.token_auth ? random_password.credential["auth"].result : null
  user_group_ids             = local.rbac ? [aws_elasticache_user_group.this[0].user_group_id] : null

  snapshot_retention_limit   = var.snapshot_retention_days
  snapshot_window            = "03:00-04:00"
  maintenance_window         = "sun:04:30-sun:05:30"
  auto_minor_version_upgrade = true
  apply_immediately          = var.apply_immediately
}
