# Facts about the programs that several components must agree on (read by _common/*.hcl).
locals {
  queue_name        = "count_queue"   # REDIS_QUEUE, and the Queue dimension of the Consumer's metrics
  metrics_namespace = "CountPipeline" # METRICS_EMF_NAMESPACE: where the Consumer's EMF metrics land
  database_name     = "count"         # DB_NAME
  producer_port     = 5080            # HTTP_PORT (public: the page's API, through CloudFront and the ALB)
  producer_ops_port = 5082            # OPS_HTTP_PORT (/metrics, /ready, /health; the VPC only)
  consumer_port     = 5081            # CONSUMER_HTTP_PORT (/health, /ready, /metrics)
  # DB_TLS_CA_FILE: where the Dockerfile puts Amazon's RDS CA bundle (global-bundle.pem).
  rds_ca_file = "/etc/ssl/certs/rds-global-bundle.pem"
}
