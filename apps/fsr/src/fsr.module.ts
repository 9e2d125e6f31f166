import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import { HealthRegistry } from '@squirret/server-kit';
import type { FsrConfig } from './config/fsr.config';

const FSR_BUS = Symbol('FSR_BUS');
const FSR_CONFIG = Symbol('FSR_CONFIG');

/** The fsr service's I/O, built by its own main or by the all-in-one process. */
export interface FsrDeps {
  readonly config: FsrConfig;
  readonly bus: Bus;
}

class FsrHealth implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(FSR_BUS) private readonly bus: Bus,
  ) {}

  onModuleInit(): void {
    this.health.register('fsr.bus', () => this.bus.ping());
  }
}

/** The fsr service. In this version: health only; its endpoints come with their own issue. */
@Module({})
export class FsrModule {
  static forRoot(deps: FsrDeps): DynamicModule {
    return {
      module: FsrModule,
      providers: [{ provide: FSR_CONFIG, useValue: deps.config }, { provide: FSR_BUS, useValue: deps.bus }, FsrHealth],
    };
  }
}
