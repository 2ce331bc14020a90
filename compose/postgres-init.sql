-- Runs once, when the postgres volume is first initialised: one database per service (CONTRACT.md).
CREATE DATABASE auth;
CREATE DATABASE tasks;
