import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

const views = fileURLToPath(new URL('./views', import.meta.url));
const eta = new Eta({ views, autoEscape: true, cache: true });

/** Renders a dashboard page inside the shared layout. */
export function renderPage(view: string, data: Record<string, unknown>): string {
  return eta.render(`./${view}`, data);
}
