import { DiscoveryService } from '@nestjs/core';

/**
 * Marks a provider as a RuntimeDetector. NestJS has no multi-providers; DiscoveryService finds every provider carrying
 * this decorator, in whichever module provides it, so a runtime module only has to be imported.
 */
export const RuntimeDetectorProvider = DiscoveryService.createDecorator<void>();
