# Local stand-in for the official mariadb image: Debian's mariadb-server with an entrypoint
# that honours MARIADB_ROOT_PASSWORD (root reachable from the compose network), as
# docker-compose.yml expects.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
# The package's postinst already makes a data directory (without our root password): it is
# removed so the entrypoint initialises the volume on first start.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server mariadb-client \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /var/lib/mysql \
 && install -d -o mysql -g mysql /run/mysqld /var/lib/mysql
COPY mariadb-entrypoint.sh /usr/local/bin/mariadb-entrypoint.sh
USER mysql
EXPOSE 3306
ENTRYPOINT ["/usr/local/bin/mariadb-entrypoint.sh"]
