# stage: production's shape at a smaller size, for release rehearsals. Two AZs, one NAT
# gateway, single database and cache nodes, on-demand Fargate, a month of logs.
locals {
  environment         = "stage"
  name_prefix         = "count-stage"
  aws_region          = "eu-west-1"
  availability_zones  = ["eu-west-1a", "eu-west-1b"]
  log_retention_days  = 30
  deletion_protection = false
  alarm_emails        = []

  # AWS WAF on the CloudFront distribution (on: release rehearsals see what production's rules block); the limit is
  # POST /api/count requests per client IP per minute, answered 429 beyond it.
  waf_enabled                     = true
  waf_post_count_limit_per_minute = 600

  # Custom API origin name on the ALB's ACM certificate: CloudFront then speaks HTTPS to the ALB.
  api_domain_name     = null
  api_certificate_arn = null

  # The programs' database secrets rotate automatically (weekly, so release rehearsals meet a rotation; alternating users, AWS's
  # multi-user rotation function in the VPC). Secrets Manager is reached through an interface
  # endpoint (private DNS), so secret reads and the rotation stay inside the VPC.
  db_secret_rotation_days = 7
  secretsmanager_endpoint = true
}
