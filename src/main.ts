import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { backendMicroserviceOptions } from './backend/backend.module';
import { loadConfigOrExit } from './config/load-config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.createMicroservice(AppModule.forRoot(config), {
    ...backendMicroserviceOptions(),
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen();
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Agent failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
