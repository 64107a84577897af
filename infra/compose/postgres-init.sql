-- Run once by the postgres image on an empty data directory (docker-compose.yml mounts it into
-- /docker-entrypoint-initdb.d). One database per service (and the console): services never share tables.
CREATE DATABASE latchkey_identity;
CREATE DATABASE latchkey_applications;
CREATE DATABASE latchkey_tokens;
CREATE DATABASE latchkey_console;
