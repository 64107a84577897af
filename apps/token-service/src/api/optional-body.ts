import { Body, Injectable } from '@nestjs/common';
import { TypeBoxValidationPipe } from '@latchkey/http';
import type { TSchema } from '@sinclair/typebox';

/** Like {@link TypeBoxValidationPipe} on the body, but a request without any body counts as `{}`. */
@Injectable()
class OptionalBodyPipe extends TypeBoxValidationPipe {
  override transform(value: unknown): unknown {
    return super.transform(value === undefined ? {} : value);
  }
}

/**
 * An optional JSON body, validated like `ValidBody` when there is one (unknown fields, wrong
 * types, `null` or an array are 400); none at all is `{}`. A JSON content type with an empty
 * body is still Fastify's 400 `empty_body`.
 */
export const OptionalValidBody = (schema: TSchema): ParameterDecorator => Body(new OptionalBodyPipe(schema, 'body'));
