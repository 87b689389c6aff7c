CREATE DATABASE shanxing_gateway;
CREATE DATABASE shanxing_registry;
CREATE DATABASE shanxing_activities;
CREATE DATABASE shanxing_points;
