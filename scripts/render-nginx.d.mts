// Types for scripts/render-nginx.mjs, so TypeScript tests can import it.
export declare const TEMPLATE_PATH: string;
export declare const NGINX_DEFAULTS: Readonly<Record<string, string>>;
export declare function templateVariables(template: string): string[];
export declare function renderTemplate(
  template: string,
  vars: Readonly<Record<string, string | undefined>>,
): string;
export declare function readDotEnv(file: string): Record<string, string>;
