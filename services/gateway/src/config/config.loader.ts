import { readFileSync } from 'node:fs';
import { ConfigError } from '@ollama-gateway/runtime';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type GatewayConfig, gatewayConfigSchema } from './gateway-config.js';

/** Where the config comes from: the file (GATEWAY_CONFIG_FILE, optional) and the env overrides for simple setups. */
export interface ConfigSource {
  /** Path of the YAML file; undefined = no file, every section takes its defaults. */
  file: string | undefined;
  /** OLLAMA_URLS (else OLLAMA_URL): the hosts used when the file lists none. */
  envHosts: readonly string[];
  /** OLLAMA_MAX_CONCURRENT: maxConcurrent of those env hosts (undefined = the schema default). */
  envMaxConcurrent?: number | undefined;
}

/** `hosts[0].url` from a zod issue path. */
function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const part of path) {
    if (typeof part === 'number') name += `[${part}]`;
    else name += name ? `.${String(part)}` : String(part);
  }
  return name || '(root)';
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `  ${fieldName(issue.path)}: ${issue.message}`).join('\n');
}

/**
 * Parses and validates the text of a config file. Throws ConfigError naming the file and each bad field
 * (`hosts[1].url: must be an http(s) URL…`), or the line of a YAML syntax error.
 */
export function parseGatewayConfig(text: string, path: string): GatewayConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new ConfigError(`Invalid gateway config file ${path}: ${(error as Error).message}`);
  }
  const result = gatewayConfigSchema.safeParse(raw ?? {});
  if (!result.success)
    throw new ConfigError(`Invalid gateway config file ${path}:\n${describeIssues(result.error.issues)}`);
  return result.data;
}

/**
 * Reads the config: the YAML file when there is one (else every section's defaults), then the env hosts when the file
 * lists none. Synchronous on purpose: it runs once at start-up and on SIGHUP, on a file of a few lines.
 */
export function loadGatewayConfig(source: ConfigSource): GatewayConfig {
  let config: GatewayConfig;
  if (source.file) {
    let text: string;
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `Cannot read the gateway config file ${source.file} (GATEWAY_CONFIG_FILE): ${(error as Error).message}`,
      );
    }
    config = parseGatewayConfig(text, source.file);
  } else {
    config = gatewayConfigSchema.parse({});
  }
  if (config.hosts.length > 0) return config;
  const hosts = gatewayConfigSchema.shape.hosts.safeParse(
    source.envHosts.map((url) =>
      source.envMaxConcurrent === undefined ? { url } : { url, maxConcurrent: source.envMaxConcurrent },
    ),
  );
  if (!hosts.success)
    throw new ConfigError(
      `Invalid OLLAMA_URLS / OLLAMA_URL:\n${describeIssues(hosts.error.issues)}\nFix these variables in .env or the environment.`,
    );
  return { ...config, hosts: hosts.data };
}

/** loadGatewayConfig for the entry point: on error prints the message and exits with status 78 (EX_CONFIG). */
export function loadGatewayConfigOrExit(source: ConfigSource): GatewayConfig {
  try {
    return loadGatewayConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
