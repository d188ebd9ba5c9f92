// The shape of a synthesized CloudFormation template, as far as this project reads one: resources by logical id,
// each with a type, properties and metadata. What a resource's properties hold depends on its type, so they stay
// open here; a reader that knows the type declares the properties it reads.

export interface Resource<P = Record<string, unknown>> {
  Type: string;
  Properties: P;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface Template {
  Resources?: Record<string, Partial<Resource>>;
  [section: string]: unknown;
}
