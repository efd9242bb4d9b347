import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AgentMetrics } from './agent-metrics';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: AgentMetrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
