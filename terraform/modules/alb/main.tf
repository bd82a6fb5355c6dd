locals {
  https = var.certificate_arn != null
}

# The value CloudFront adds to every origin request and the listener rule demands. It lives in
# Terraform state (encrypted S3 bucket, like every other secret the state holds); taint it to rotate.
resource "random_password" "origin_header" {
  length  = 48
  special = false
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:Viewers reach the API only through CloudFront; a web ACL belongs on the distribution (frontend module input web_acl_arn), not on an ALB that answers CloudFront alone.
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [var.security_group_id]
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = var.idle_timeout_seconds

  dynamic "access_logs" {
    for_each = var.access_logs_bucket == null ? [] : [var.access_logs_bucket]

    content {
      bucket  = access_logs.value
      prefix  = var.name
      enabled = true
    }
  }
}

resource "aws_lb_target_group" "producer" {
  #checkov:skip=CKV_AWS_378:ALB to task traffic stays inside private subnets and security groups; the programs speak plain HTTP and TLS ends at CloudFront (or at this ALB with a certificate).
  name                 = "${var.name}-producer"
  target_type          = "ip"
  port                 = var.target_port
  protocol             = "HTTP"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  # /health is liveness without I/O: a database outage must not take every Producer out of the
  # ALB, because POST /count needs only Redis. It is probed on the operations port, which the
  # security groups open to the VPC only: the public port's limits are for strangers, not for this.
  health_check {
    port                = tostring(var.health_check_port)
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

# Anything that does not carry CloudFront's secret header gets a 403; see the listener rule.
resource "aws_lb_listener" "this" {
  # HTTP without a custom domain: ACM issues no certificate for *.elb.amazonaws.com, and CloudFront
  # answers 502 to an origin certificate that does not match the origin name. Viewers still get
  # HTTPS, ending at CloudFront. certificate_arn switches this listener to HTTPS (TLS 1.2+).
  load_balancer_arn = aws_lb.this.arn
  port              = local.https ? 443 : 80
  protocol          = local.https ? "HTTPS" : "HTTP"
  ssl_policy        = local.https ? "ELBSecurityPolicy-TLS13-1-2-2021-06" : null
  certificate_arn   = var.certificate_arn

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      status_code  = "403"
      message_body = jsonencode({ error = "forbidden", message = "This endpoint answers only through the CloudFront distribution." })
    }
  }
}

resource "aws_lb_listener_rule" "from_cloudfront" {
  listener_arn = aws_lb_listener.this.arn
  priority     = 1

  condition {
    http_header {
      http_header_name = var.origin_header_name
      values           = [random_password.origin_header.result]
    }
  }

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.producer.arn
  }
}
