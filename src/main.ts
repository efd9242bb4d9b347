import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { backendMicroserviceOptions } from './backend/backend.module';
import { loadConfigOrExit } from './config/load-config';

/** A hybrid app: the HTTP endpoint for operators (health, metrics) with the backend link as its microservice. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.connectMicroservice(backendMicroserviceOptions(), { inheritAppConfig: true });
  app.enableShutdownHooks();
  // bootstrap hooks (leftovers of an earlier run removed) finish before the backend link opens; a port already taken
  // stops the agent before it says hello
  await app.init();
  if (config.http.port !== 0) {
    await app.listen(config.http.port, config.http.host);
    app.get(Logger).log(`health and metrics on http://${config.http.host}:${config.http.port}`);
  }
  await app.startAllMicroservices();
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Agent failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
