// Building the body of POST /api/v1/reports from the report dialog's fields, with the checks the
// dialog can make before sending (the API checks again and names the field at fault).
import { parseLinks, isContact } from './util'

export interface ReportForm {
  category: string
  description: string
  links: string
  mediaIds: string[]
  rightsHolder: string
  proofLinks: string
  proofMediaIds: string[]
  contact: string
}

export type ReportField = 'category' | 'description' | 'evidence' | 'rights_holder' | 'rights_proof' | 'contact'

export interface Built {
  body?: Record<string, unknown>
  // field -> error code (public.errors.<code>)
  errors: Partial<Record<ReportField, string>>
}

export function emptyReportForm(): ReportForm {
  return {
    category: '',
    description: '',
    links: '',
    mediaIds: [],
    rightsHolder: '',
    proofLinks: '',
    proofMediaIds: [],
    contact: '',
  }
}

export function buildReport(
  target: { type: string; id: number },
  f: ReportForm,
  opts: { signedIn: boolean; needsRightsProof: boolean },
): Built {
  const errors: Built['errors'] = {}
  if (!f.category) errors.category = 'category_required'
  const description = f.description.trim()
  if (!description) errors.description = 'invalid_description'
  else if ([...description].length > 2000) errors.description = 'description_too_long'

  const ev = parseLinks(f.links)
  if (ev.invalid) errors.evidence = 'invalid_link'
  else if (ev.tooMany) errors.evidence = 'too_many_links'
  else if (f.mediaIds.length > 9) errors.evidence = 'too_many_screenshots'

  const body: Record<string, unknown> = {
    target: { type: target.type, id: target.id },
    category: f.category,
    description,
  }
  const evidence: Record<string, string[]> = {}
  if (ev.links.length) evidence.links = ev.links
  if (opts.signedIn && f.mediaIds.length) evidence.media_ids = [...f.mediaIds]
  if (Object.keys(evidence).length) body.evidence = evidence

  if (opts.needsRightsProof) {
    const holder = f.rightsHolder.trim()
    if (!holder) errors.rights_holder = 'rights_holder_required'
    else body.rights_holder = holder
    const proof = parseLinks(f.proofLinks)
    const proofMedia = opts.signedIn ? f.proofMediaIds : []
    if (proof.invalid) errors.rights_proof = 'invalid_link'
    else if (proof.tooMany) errors.rights_proof = 'too_many_links'
    else if (!proof.links.length && !proofMedia.length) errors.rights_proof = 'rights_proof_required'
    else {
      const rp: Record<string, string[]> = {}
      if (proof.links.length) rp.links = proof.links
      if (proofMedia.length) rp.media_ids = [...proofMedia]
      body.rights_proof = rp
    }
  }

  if (!opts.signedIn) {
    const contact = f.contact.trim()
    if (!contact) errors.contact = 'contact_required'
    else if (!isContact(contact)) errors.contact = 'invalid_contact'
    else body.contact = contact
  }
  return Object.keys(errors).length ? { errors } : { body, errors }
}

// The page (with the one-time token of an anonymous reporter) where a report's progress shows.
export function reportLink(id: number, token?: string | null): string {
  return token ? `/reports/${id}?token=${encodeURIComponent(token)}` : `/reports/${id}`
}
