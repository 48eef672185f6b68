import { z } from '@hono/zod-openapi';

export const FIELD_TYPES = ['text', 'number', 'date', 'select', 'multi_select', 'checkbox', 'user', 'url'] as const;
export const FieldTypeSchema = z.enum(FIELD_TYPES);
export type FieldType = z.infer<typeof FieldTypeSchema>;

export const FieldOptionSchema = z
  .object({ id: z.number().int(), label: z.string(), colour: z.string().nullable() })
  .openapi('FieldOption');

export const FieldSchema = z
  .object({
    id: z.number().int(),
    project: z.number().int(),
    name: z.string(),
    type: FieldTypeSchema,
    options: z.array(FieldOptionSchema).openapi({ description: 'Choices of a select or multi_select field' }),
    required: z.boolean(),
    show_on_card: z.boolean(),
    position: z.string().openapi({ description: 'Fractional-index key; display order' }),
  })
  .openapi('Field');

export type Field = z.infer<typeof FieldSchema>;
export type FieldOption = z.infer<typeof FieldOptionSchema>;

/**
 * A value as stored and shown, by field type: text/url/date (`YYYY-MM-DD`) a string, number a
 * number, select an option id, multi_select option ids, checkbox a boolean, user a user id.
 */
export const FieldValueSchema = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.number().int())])
  .openapi('FieldValue');
export type FieldValue = z.infer<typeof FieldValueSchema>;
