import type { FactoryProvider, InjectionToken } from '@nestjs/common';
import { HealthRegistry } from './health';

/** Something `SELECT 1` can be asked of (a TypeORM DataSource, a pg pool). */
export interface Queryable {
  query(sql: string): Promise<unknown>;
}

/** Something that answers a ping (the bus). */
export interface Pingable {
  ping(): Promise<void>;
}

/**
 * A service's readiness on its dependencies, registered as `<service>.database` and
 * `<service>.bus`: the one health class every app uses (features add their own checks, such as the
 * pose model's warm-up, to the same HealthRegistry).
 */
export class DependencyHealth {
  constructor(health: HealthRegistry, service: string, deps: { readonly database?: Queryable; readonly bus?: Pingable }) {
    const { database, bus } = deps;
    if (database) {
      health.register(`${service}.database`, async () => {
        await database.query('SELECT 1');
      });
    }
    if (bus) health.register(`${service}.bus`, () => bus.ping());
  }

  /** The provider that registers the checks when the module is built, from the module's own tokens. */
  static provider(service: string, tokens: { readonly database?: InjectionToken; readonly bus?: InjectionToken }): FactoryProvider<DependencyHealth> {
    const names = (['database', 'bus'] as const).filter((k) => tokens[k] !== undefined);
    return {
      provide: `${service}.DependencyHealth`,
      inject: [HealthRegistry, ...names.map((k) => tokens[k]!)],
      useFactory: (health: HealthRegistry, ...deps: unknown[]) =>
        new DependencyHealth(health, service, Object.fromEntries(names.map((k, i) => [k, deps[i]])) as { database?: Queryable; bus?: Pingable }),
    };
  }
}
