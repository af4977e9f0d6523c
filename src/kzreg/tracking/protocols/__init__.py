"""Device protocol decoders (sans-IO): Wialon IPS, EGTS, OsmAnd, MQTT JSON, JSONL replay."""
