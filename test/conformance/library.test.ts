/**
 * Library conformance over the shared orchestr8 corpus, read in place from
 * ../shared/corpus/orchestr8 (never copied). Every expected value below was worked out by
 * reading the files (grep for `orchestr8://`, then each occurrence in context: fenced code
 * of a programming language is not a reference; a fence or paragraph holding only the URI
 * is a slot; anything else in text is a mention; frontmatter URIs are related), and by
 * checking each target path against the files present. They are hard-coded on purpose.
 */
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'
import { assembleTask, type Library, loadLibrary } from '../../src/library/index.js'
import { repoRoot, retrievalProbes } from '../library/helpers.js'

const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus', 'orchestr8')
const short = (uri: string) => uri.replace('orchestr8://', '')

let library: Library
beforeAll(async () => {
  library = await loadLibrary({ root: path.join(corpus, 'resources') })
})

describe('orchestr8 corpus: library index', () => {
  it('indexes all 46 documents with categories from frontmatter (folder as fallback)', () => {
    expect(library.entries).toHaveLength(46)
    const byCategory: Record<string, number> = {}
    for (const e of library.entries) byCategory[e.category] = (byCategory[e.category] ?? 0) + 1
    // workflows/workflow-new-project.md declares `category: pattern`; guides/mcp-resource-loading.md has no frontmatter.
    expect(byCategory).toEqual({ agent: 11, example: 19, guide: 2, pattern: 4, skill: 10 })
    expect(library.get('orchestr8://workflows/workflow-new-project')?.category).toBe('pattern')
    expect(library.get('orchestr8://guides/mcp-resource-loading')?.category).toBe('guide')
  })

  it('reports exactly the id/file mismatch, the missing frontmatter and the category mismatch', () => {
    const facts = library.diagnostics.filter((d) => d.severity !== 'info' || d.code !== 'REFERENCE_LEGACY_AT').map((d) => `${d.code} ${d.file}:${d.line}`)
    expect(facts).toEqual([
      'FRONTMATTER_MISSING guides/mcp-resource-loading.md:1',
      'ID_MISMATCH patterns/self-improvement-loop.md:2',
      'CATEGORY_MISMATCH workflows/workflow-new-project.md:3',
    ])
    const loop = library.get('self-improvement-loop-pattern')
    expect(loop?.uri).toBe('orchestr8://patterns/self-improvement-loop')
    expect(loop?.aliases).toEqual(['self-improvement-loop-pattern', 'self-improvement-loop'])
    expect(library.get('self-improvement-loop')).toBe(loop)
  })

  it('gives every entry its file name as an alias (no name is claimed twice)', () => {
    for (const e of library.entries) expect(e.aliases).toContain(path.basename(e.path, '.md'))
    expect(library.diagnostics.some((d) => d.code === 'ALIAS_AMBIGUOUS')).toBe(false)
  })
})

describe('orchestr8 corpus: reference graph', () => {
  it('has exactly these edges (one per from, to, kind; first line)', () => {
    const edges = library.graph().edges.map((e) => `${short(e.from)} -> ${short(e.to)} ${e.kind} L${e.line}${e.via === 'uri' ? '' : ` (${e.via})`}`)
    expect(edges).toEqual([
      'agents/dynamodb-specialist -> examples/database/dynamodb-advanced-features slot L59',
      'agents/dynamodb-specialist -> examples/database/dynamodb-advanced-features mention L96',
      'agents/dynamodb-specialist -> examples/database/dynamodb-data-modeling slot L32',
      'agents/dynamodb-specialist -> examples/database/dynamodb-data-modeling mention L94',
      'agents/dynamodb-specialist -> examples/database/dynamodb-sdk-operations slot L45',
      'agents/dynamodb-specialist -> examples/database/dynamodb-sdk-operations mention L95',
      'agents/knowledge-base-agent -> agents/knowledge-base-agent-enterprise slot L469',
      'agents/knowledge-base-agent-enterprise -> agents/knowledge-base-agent mention L25',
      'agents/knowledge-base-agent-enterprise -> agents/knowledge-base-agent related L11',
      'agents/ml-engineer -> examples/ml/hyperparameter-optimization-optuna slot L214',
      'agents/ml-engineer -> examples/ml/hyperparameter-optimization-optuna mention L334',
      'agents/ml-engineer -> examples/ml/pytorch-transformer-classifier slot L26',
      'agents/ml-engineer -> examples/ml/pytorch-transformer-classifier mention L332',
      'agents/ml-engineer -> examples/ml/tensorflow-keras-multi-input slot L36',
      'agents/ml-engineer -> examples/ml/tensorflow-keras-multi-input mention L333',
      'agents/mlops-specialist -> examples/ml/mlops-kubeflow-pipeline slot L37',
      'agents/mlops-specialist -> examples/ml/mlops-kubeflow-pipeline mention L140',
      'agents/mlops-specialist -> examples/ml/mlops-mlflow-tracking slot L23',
      'agents/mlops-specialist -> examples/ml/mlops-mlflow-tracking mention L139',
      'agents/mlops-specialist -> examples/ml/mlops-model-serving slot L103',
      'agents/mlops-specialist -> examples/ml/mlops-model-serving mention L141',
      'agents/mlops-specialist -> examples/ml/mlops-monitoring-ab-testing slot L117',
      'agents/mlops-specialist -> examples/ml/mlops-monitoring-ab-testing mention L142',
      'agents/runpod-specialist -> skills/runpod-serverless-deployment mention L171',
      'agents/rust-expert-advanced -> agents/rust-expert-advanced mention L295',
      'agents/rust-expert-advanced -> agents/rust-expert-core mention L290',
      'agents/rust-expert-core -> agents/rust-expert-advanced mention L267',
      'agents/rust-expert-core -> agents/rust-expert-core mention L259',
      'agents/sre-specialist -> examples/infrastructure/sre-chaos-capacity slot L330',
      'agents/sre-specialist -> examples/infrastructure/sre-chaos-capacity mention L352',
      'agents/sre-specialist -> examples/infrastructure/sre-incident-management slot L40',
      'agents/sre-specialist -> examples/infrastructure/sre-incident-management mention L351',
      'agents/sre-specialist -> examples/infrastructure/sre-slo-configuration slot L25',
      'agents/sre-specialist -> examples/infrastructure/sre-slo-configuration mention L350',
      'examples/database/dynamodb-advanced-features -> agents/dynamodb-specialist related L17',
      'examples/database/dynamodb-data-modeling -> agents/dynamodb-specialist related L17',
      'examples/database/dynamodb-sdk-operations -> agents/dynamodb-specialist related L17',
      'examples/infrastructure/sre-chaos-capacity -> agents/sre-specialist related L17',
      'examples/infrastructure/sre-incident-management -> agents/sre-specialist related L17',
      'examples/infrastructure/sre-incident-management -> skills/observability-structured-logging related L18',
      'examples/infrastructure/sre-slo-configuration -> agents/sre-specialist related L17',
      'examples/infrastructure/sre-slo-configuration-implementation -> agents/sre-specialist related L18',
      'examples/infrastructure/sre-slo-configuration-implementation -> patterns/performance-caching related L20',
      'examples/infrastructure/sre-slo-configuration-implementation -> skills/observability-sli-slo-monitoring related L19',
      'examples/ml/hyperparameter-optimization-optuna -> agents/ml-engineer related L17',
      'examples/ml/mlops-kubeflow-pipeline -> agents/mlops-specialist related L17',
      'examples/ml/mlops-kubeflow-pipeline -> skills/ml-hyperparameter-tuning related L18',
      'examples/ml/mlops-mlflow-tracking -> agents/mlops-specialist related L17',
      'examples/ml/mlops-mlflow-tracking -> skills/ml-model-evaluation related L18',
      'examples/ml/mlops-model-serving -> agents/mlops-specialist related L17',
      'examples/ml/mlops-model-serving -> skills/kubernetes-deployment-patterns related L18',
      'examples/ml/mlops-monitoring-ab-testing -> agents/mlops-specialist related L17',
      'examples/ml/mlops-monitoring-ab-testing -> skills/observability-metrics-prometheus related L18',
      'examples/ml/pytorch-transformer-classifier -> agents/ml-engineer related L17',
      'examples/ml/tensorflow-keras-multi-input -> agents/ml-engineer related L17',
      'examples/patterns/performance-caching-implementations -> patterns/performance-caching related L20',
      'examples/patterns/session-output-typescript-implementation -> patterns/session-output-management related L18',
      'patterns/performance-caching -> examples/patterns/performance-caching-implementations slot L254',
      'patterns/performance-caching -> examples/patterns/performance-caching-implementations related L27',
      'patterns/session-output-management -> examples/patterns/session-output-typescript-implementation slot L162',
      'patterns/session-output-management -> examples/patterns/session-output-typescript-implementation related L20',
      'skills/error-handling-resilience -> patterns/performance-caching mention L30',
      'skills/error-handling-resilience -> skills/observability-metrics-prometheus mention L34',
      'skills/observability-distributed-tracing -> patterns/performance-caching mention L164',
      'skills/observability-distributed-tracing -> skills/observability-distributed-tracing mention L158',
      'skills/observability-distributed-tracing -> skills/observability-metrics-prometheus mention L157',
      'skills/observability-distributed-tracing -> skills/observability-sli-slo-monitoring mention L161',
      'skills/observability-distributed-tracing -> skills/observability-structured-logging mention L156',
      'skills/observability-metrics-prometheus -> guides/prometheus-monitoring-setup mention L172',
      'skills/observability-metrics-prometheus -> skills/observability-distributed-tracing mention L166',
      'skills/observability-metrics-prometheus -> skills/observability-metrics-prometheus mention L165',
      'skills/observability-metrics-prometheus -> skills/observability-sli-slo-monitoring mention L169',
      'skills/observability-metrics-prometheus -> skills/observability-structured-logging mention L164',
      'skills/observability-sli-slo-monitoring -> guides/prometheus-monitoring-setup mention L137',
      'skills/observability-sli-slo-monitoring -> skills/error-handling-resilience mention L141',
      'skills/observability-sli-slo-monitoring -> skills/observability-distributed-tracing mention L133',
      'skills/observability-sli-slo-monitoring -> skills/observability-metrics-prometheus mention L132',
      'skills/observability-sli-slo-monitoring -> skills/observability-sli-slo-monitoring mention L136',
      'skills/observability-sli-slo-monitoring -> skills/observability-structured-logging mention L131',
      'skills/observability-structured-logging -> skills/observability-distributed-tracing mention L147',
      'skills/observability-structured-logging -> skills/observability-metrics-prometheus mention L146',
      'skills/observability-structured-logging -> skills/observability-sli-slo-monitoring mention L150',
      'skills/observability-structured-logging -> skills/observability-structured-logging mention L145',
      'skills/runpod-serverless-deployment -> agents/runpod-specialist mention L187',
      'skills/runpod-serverless-deployment -> examples/runpod-serverless-handler mention L189',
    ])
  })

  it('has exactly these dangling references (targets not in the corpus)', () => {
    const dangling = library.graph().dangling.map((d) => `${short(d.from)} -> ${short(d.uri)} ${d.kind} L${d.line}`)
    expect(dangling).toEqual([
      'agents/knowledge-base-agent-enterprise -> agents/legacy-system-analyst mention L411',
      'agents/runpod-specialist -> skills/runpod-cost-optimization mention L175',
      'agents/runpod-specialist -> skills/runpod-graphql-api mention L169',
      'agents/runpod-specialist -> skills/runpod-monitoring-health mention L176',
      'agents/runpod-specialist -> skills/runpod-network-volumes mention L174',
      'agents/runpod-specialist -> skills/runpod-pod-management mention L172',
      'agents/runpod-specialist -> skills/runpod-rest-api mention L170',
      'agents/runpod-specialist -> skills/runpod-template-system mention L173',
      'examples/database/dynamodb-advanced-features -> patterns/event-driven-pubsub related L18',
      'examples/database/dynamodb-data-modeling -> skills/data-modeling-best-practices related L18',
      'examples/database/dynamodb-sdk-operations -> agents/typescript-core related L18',
      'examples/git/git-commit-examples -> code-quality-standards related L25',
      'examples/git/git-commit-examples -> git-hooks-implementations related L22',
      'examples/git/git-commit-examples -> git-pr-templates related L21',
      'examples/git/git-commit-examples -> git-workflow related L24',
      'examples/git/git-commit-examples -> github-actions-workflows related L23',
      'examples/infrastructure/sre-chaos-capacity -> skills/performance-optimization related L18',
      'examples/infrastructure/sre-slo-configuration -> patterns/observability-sli-slo-monitoring related L18',
      'guides/mcp-resource-loading -> agents/project-manager mention L37',
      'guides/mcp-resource-loading -> category/resource-name slot L43',
      'guides/mcp-resource-loading -> patterns/autonomous-organization mention L21',
      'skills/error-handling-resilience -> patterns/event-driven-saga mention L31',
      'skills/error-handling-resilience -> skills/error-handling-api-patterns mention L25',
      'skills/error-handling-resilience -> skills/error-handling-logging mention L26',
      'skills/error-handling-resilience -> skills/error-handling-validation mention L27',
      'skills/observability-distributed-tracing -> skills/performance-profiling-techniques mention L165',
      'skills/observability-sli-slo-monitoring -> patterns/architecture-microservices mention L140',
      'skills/observability-structured-logging -> patterns/architecture-microservices mention L154',
      'skills/observability-structured-logging -> skills/error-handling-logging mention L151',
      'skills/orchestr8-optimization-patterns -> agents/full-expert mention L402',
      'skills/orchestr8-optimization-patterns -> agents/orchestr8-expert related L18',
      'skills/orchestr8-optimization-patterns -> agents/typescript-expert-advanced mention L80',
      'skills/orchestr8-optimization-patterns -> patterns/all-patterns mention L404',
      'skills/orchestr8-optimization-patterns -> patterns/architecture-analysis mention L232',
      'skills/orchestr8-optimization-patterns -> patterns/dynamic-expertise-core related L21',
      'skills/orchestr8-optimization-patterns -> skills/all-skills mention L403',
      'skills/orchestr8-optimization-patterns -> skills/fragment-creation-workflow related L19',
      'skills/orchestr8-optimization-patterns -> skills/jit-loading-progressive-strategies related L20',
      'skills/runpod-serverless-deployment -> skills/runpod-rest-api mention L188',
      'workflows/workflow-new-project -> patterns/architecture-decision-records mention L99',
      'workflows/workflow-new-project -> patterns/autonomous-parallel slot L62',
      'workflows/workflow-new-project -> skills/deployment-zero-downtime mention L98',
      'workflows/workflow-new-project -> skills/git-workflow slot L47',
      'workflows/workflow-new-project -> skills/requirement-analysis-framework slot L31',
      'workflows/workflow-new-project -> skills/security-owasp-top10 slot L83',
      'workflows/workflow-new-project -> skills/testing-strategies slot L82',
    ])
  })

  it('has exactly these cycles over all kinds, and none over slots alone', () => {
    const g = library.graph()
    expect(g.cyclesTruncated).toBe(false)
    const cycles = g.cycles.map((c) => c.map(short).join(' > '))
    const D = 'skills/observability-distributed-tracing'
    const M = 'skills/observability-metrics-prometheus'
    const S = 'skills/observability-sli-slo-monitoring'
    const L = 'skills/observability-structured-logging'
    const E = 'skills/error-handling-resilience'
    expect(cycles).toEqual([
      // Agent <-> example through slot/mention and related.
      'agents/dynamodb-specialist > examples/database/dynamodb-advanced-features',
      'agents/dynamodb-specialist > examples/database/dynamodb-data-modeling',
      'agents/dynamodb-specialist > examples/database/dynamodb-sdk-operations',
      'agents/knowledge-base-agent > agents/knowledge-base-agent-enterprise',
      'agents/ml-engineer > examples/ml/hyperparameter-optimization-optuna',
      'agents/ml-engineer > examples/ml/pytorch-transformer-classifier',
      'agents/ml-engineer > examples/ml/tensorflow-keras-multi-input',
      'agents/mlops-specialist > examples/ml/mlops-kubeflow-pipeline',
      'agents/mlops-specialist > examples/ml/mlops-mlflow-tracking',
      'agents/mlops-specialist > examples/ml/mlops-model-serving',
      'agents/mlops-specialist > examples/ml/mlops-monitoring-ab-testing',
      'agents/runpod-specialist > skills/runpod-serverless-deployment',
      // The rust modules mention themselves and each other.
      'agents/rust-expert-advanced',
      'agents/rust-expert-advanced > agents/rust-expert-core',
      'agents/rust-expert-core',
      'agents/sre-specialist > examples/infrastructure/sre-chaos-capacity',
      'agents/sre-specialist > examples/infrastructure/sre-incident-management',
      'agents/sre-specialist > examples/infrastructure/sre-slo-configuration',
      'examples/patterns/performance-caching-implementations > patterns/performance-caching',
      'examples/patterns/session-output-typescript-implementation > patterns/session-output-management',
      // The four observability skills mention each other and themselves (a complete digraph
      // with self-loops: 4 + 6 + 8 + 6 = 24 cycles), and error-handling-resilience -> metrics
      // closes 5 more through sli-slo -> error-handling-resilience.
      `${E} > ${M} > ${D} > ${S}`,
      `${E} > ${M} > ${D} > ${L} > ${S}`,
      `${E} > ${M} > ${S}`,
      `${E} > ${M} > ${L} > ${D} > ${S}`,
      `${E} > ${M} > ${L} > ${S}`,
      `${D}`,
      `${D} > ${M}`,
      `${D} > ${M} > ${S}`,
      `${D} > ${M} > ${S} > ${L}`,
      `${D} > ${M} > ${L}`,
      `${D} > ${M} > ${L} > ${S}`,
      `${D} > ${S}`,
      `${D} > ${S} > ${M}`,
      `${D} > ${S} > ${M} > ${L}`,
      `${D} > ${S} > ${L}`,
      `${D} > ${S} > ${L} > ${M}`,
      `${D} > ${L}`,
      `${D} > ${L} > ${M}`,
      `${D} > ${L} > ${M} > ${S}`,
      `${D} > ${L} > ${S}`,
      `${D} > ${L} > ${S} > ${M}`,
      `${M}`,
      `${M} > ${S}`,
      `${M} > ${S} > ${L}`,
      `${M} > ${L}`,
      `${M} > ${L} > ${S}`,
      `${S}`,
      `${S} > ${L}`,
      `${L}`,
    ])
    expect(library.graph({ cycleKinds: ['slot'] }).cycles).toEqual([])
  })

  it('classifies query URIs as dynamic; prose naming the bare scheme (`orchestr8://`) is no reference, so nothing is invalid', () => {
    const g = library.graph()
    const count = (from: string) => g.dynamic.filter((d) => short(d.from) === from).length
    expect([count('guides/mcp-resource-loading'), count('patterns/self-improvement-loop'), count('skills/orchestr8-optimization-patterns'), count('workflows/workflow-new-project')]).toEqual([3, 8, 13, 8])
    expect(g.dynamic).toHaveLength(32)
    expect(g.dynamic.filter((d) => d.kind === 'slot').map((d) => d.line)).toEqual([30, 46, 61, 69, 71, 73, 81])
    // guides/mcp-resource-loading L3 and L12, skills/orchestr8-optimization-patterns L391 name the scheme in prose.
    expect(g.invalid).toEqual([])
  })

  it('recovers the older @orchestr8:// frontmatter lists in legacy-at-syntax', async () => {
    const legacy = await loadLibrary({ root: path.join(corpus, 'legacy-at-syntax', 'resources') })
    expect(legacy.entries.map((e) => [short(e.uri), e.diagnostics.map((d) => d.code)])).toEqual([
      ['agents/mlops-specialist', []],
      ['examples/ml/mlops-kubeflow-pipeline', ['FRONTMATTER_LEGACY_AT']],
      ['examples/ml/mlops-mlflow-tracking', ['FRONTMATTER_LEGACY_AT']],
      ['examples/ml/mlops-model-serving', ['FRONTMATTER_LEGACY_AT']],
      ['examples/ml/mlops-monitoring-ab-testing', ['FRONTMATTER_LEGACY_AT']],
    ])
    const g = legacy.graph()
    expect(g.edges.filter((e) => e.kind === 'related').map((e) => `${short(e.from)} -> ${short(e.to)}`)).toEqual([
      'examples/ml/mlops-kubeflow-pipeline -> agents/mlops-specialist',
      'examples/ml/mlops-mlflow-tracking -> agents/mlops-specialist',
      'examples/ml/mlops-model-serving -> agents/mlops-specialist',
      'examples/ml/mlops-monitoring-ab-testing -> agents/mlops-specialist',
    ])
    expect(g.dangling.map((d) => short(d.uri))).toEqual([
      'skills/ml-hyperparameter-tuning',
      'skills/ml-model-evaluation',
      'skills/kubernetes-deployment-patterns',
      'skills/observability-metrics-prometheus',
    ])
    expect(g.cycles).toHaveLength(4)
  })
})

describe('orchestr8 corpus: retrieval and task assembly', () => {
  it('ranks each agent slot target first among examples for its section heading (hit@1, hit@3)', () => {
    const { probes, hitAt1, hitAt3 } = retrievalProbes(library)
    console.log(`retrieval over the corpus: ${probes.length} slots, hit@1 ${hitAt1}/${probes.length}, hit@3 ${hitAt3}/${probes.length}`)
    expect(probes.map((p) => `${short(p.agent)}: ${p.query} -> ${short(p.target)} #${p.rank}`)).toEqual([
      'agents/dynamodb-specialist: Data Modeling Best Practices -> examples/database/dynamodb-data-modeling #1',
      'agents/dynamodb-specialist: AWS SDK v3 - CRUD & Transactions -> examples/database/dynamodb-sdk-operations #1',
      'agents/dynamodb-specialist: Advanced Features - Streams, DAX, TTL, GSI -> examples/database/dynamodb-advanced-features #1',
      'agents/ml-engineer: PyTorch - Deep Learning -> examples/ml/pytorch-transformer-classifier #1',
      'agents/ml-engineer: TensorFlow/Keras - Production Models -> examples/ml/tensorflow-keras-multi-input #1',
      'agents/ml-engineer: Hyperparameter Optimization -> examples/ml/hyperparameter-optimization-optuna #1',
      'agents/mlops-specialist: MLflow - Experiment Tracking & Model Registry -> examples/ml/mlops-mlflow-tracking #1',
      'agents/mlops-specialist: Kubeflow Pipelines - ML Workflow Orchestration -> examples/ml/mlops-kubeflow-pipeline #1',
      'agents/mlops-specialist: Model Serving - FastAPI + Docker -> examples/ml/mlops-model-serving #1',
      'agents/mlops-specialist: Model Monitoring, A/B Testing & Continuous Training -> examples/ml/mlops-monitoring-ab-testing #1',
      'agents/sre-specialist: SLOs and SLIs - Service Level Objectives -> examples/infrastructure/sre-slo-configuration #1',
      'agents/sre-specialist: Incident Response & On-Call -> examples/infrastructure/sre-incident-management #1',
      'agents/sre-specialist: Chaos Engineering, Capacity Planning & Toil Automation -> examples/infrastructure/sre-chaos-capacity #1',
    ])
    expect([hitAt1, hitAt3]).toEqual([13, 13])
  })

  it('assembles tasks over the corpus within every budget', async () => {
    const counter = createTokenCounter()
    const tasks = ['track ML experiments with MLflow and serve the model', 'design a DynamoDB single-table schema', 'define SLOs and error budgets', 'rust async ownership']
    for (const task of tasks) {
      for (const budget of [0, 50, 500, 2000, 8000, 32000]) {
        const { text, report } = await assembleTask(library, task, { budget })
        expect(counter.count(text)).toBe(report.totalTokens)
        expect(report.totalTokens).toBeLessThanOrEqual(budget)
        const listed = report.documents.filter((d) => d.decision !== 'omitted')
        if (listed.some((d) => d.role === 'agent')) expect(listed[0]?.role).toBe('agent')
      }
    }
  })
})
