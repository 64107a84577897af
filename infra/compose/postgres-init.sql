-- Run once by the postgres image on an empty data directory (docker-compose.yml mounts it into
-- /docker-entrypoint-initdb.d). One database per service: services never share tables.
CREATE DATABASE latchkey_identity;
CREATE DATABASE latchkey_applications;
CREATE DATABASE latchkey_tokens;
