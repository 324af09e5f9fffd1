package io.trolserve.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * Schema checks of one manifest, offline. Built-in kinds bind strictly to the fabric8 Kubernetes
 * model (7.5.2, generated from the Kubernetes OpenAPI schema): an unknown field, a wrong type or a
 * quoted number where an integer belongs fails, as the API server's strict field validation
 * would; then the fields the API marks required are checked, since the model has no such notion.
 * KEDA's kinds are validated against the JSON schemas in deploy/schemas.
 */
final class KubernetesSchemas {

    private static final Map<String, Class<? extends HasMetadata>> BUILT_IN = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Service", Service.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "apps/v1/Deployment", Deployment.class,
            "batch/v1/Job", Job.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    private static final Map<String, String> KEDA = Map.of(
            "keda.sh/v1alpha1/ScaledObject", "keda-scaledobject.schema.json",
            "keda.sh/v1alpha1/TriggerAuthentication", "keda-triggerauthentication.schema.json");

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    /**
     * fabric8's model classes catch unknown fields in an "additionalProperties" map (a Jackson any
     * setter), which would accept any typo; ignoring the any setters makes unknown fields errors.
     */
    private static final ObjectMapper STRICT = strictMapper();

    private static ObjectMapper strictMapper() {
        ObjectMapper m = JsonMapper.builder()
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        return Boolean.FALSE;
                    }

                    @Override
                    @SuppressWarnings("deprecation")
                    public boolean hasAnySetterAnnotation(AnnotatedMethod am) {
                        return false;
                    }
                })
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // Kubernetes refuses `value: 8080` or `scrape: true` where a string belongs; Jackson would read them as text
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            m.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return m;
    }

    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    /** @return the problems found; empty when the manifest is valid */
    List<String> validate(DeployFiles.Document doc) {
        String type = doc.apiVersion() + "/" + doc.kind();
        if (KEDA.containsKey(type)) {
            return kedaProblems(doc, KEDA.get(type));
        }
        Class<? extends HasMetadata> model = BUILT_IN.get(type);
        if (model == null) {
            return List.of(doc + ": no schema for " + type + " (add one to KubernetesSchemas)");
        }
        HasMetadata object;
        try {
            object = STRICT.treeToValue(doc.tree(), model);
        } catch (JsonProcessingException e) {
            return List.of(doc + ": " + e.getOriginalMessage() + " at " + path(e));
        }
        List<String> problems = new ArrayList<>();
        required(doc, object, problems);
        return problems;
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException jm) {
            return jm.getPathReference();
        }
        return "";
    }

    private List<String> kedaProblems(DeployFiles.Document doc, String schemaFile) {
        JsonSchema schema;
        try (InputStream in = Files.newInputStream(DeployFiles.SCHEMAS.resolve(schemaFile))) {
            schema = factory.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<ValidationMessage> messages = schema.validate(doc.tree());
        return messages.stream().map(m -> doc + ": " + m.getMessage()).sorted().toList();
    }

    /** What the Kubernetes API marks required or constrains beyond types, for the kinds we use. */
    private static void required(DeployFiles.Document doc, HasMetadata object, List<String> problems) {
        String name = object.getMetadata() == null ? null : object.getMetadata().getName();
        check(name != null && name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches(),
                doc + ": metadata.name must be a DNS subdomain", problems);
        if (object instanceof Deployment d) {
            check(d.getSpec() != null && d.getSpec().getSelector() != null, doc + ": spec.selector is required", problems);
            check(d.getSpec() != null && d.getSpec().getTemplate() != null, doc + ": spec.template is required", problems);
            if (d.getSpec() != null && d.getSpec().getSelector() != null && d.getSpec().getTemplate() != null) {
                Map<String, String> labels = d.getSpec().getTemplate().getMetadata() == null ? Map.of()
                        : Objects.requireNonNullElse(d.getSpec().getTemplate().getMetadata().getLabels(), Map.of());
                check(labels.entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()),
                        doc + ": spec.selector does not match the template's labels", problems);
                podTemplate(doc, d.getSpec().getTemplate(), problems);
            }
        } else if (object instanceof Job j) {
            check(j.getSpec() != null && j.getSpec().getTemplate() != null, doc + ": spec.template is required", problems);
            if (j.getSpec() != null && j.getSpec().getTemplate() != null) {
                String restart = j.getSpec().getTemplate().getSpec() == null ? null : j.getSpec().getTemplate().getSpec().getRestartPolicy();
                check("Never".equals(restart) || "OnFailure".equals(restart),
                        doc + ": a Job's restartPolicy must be Never or OnFailure", problems);
                podTemplate(doc, j.getSpec().getTemplate(), problems);
            }
        } else if (object instanceof Service s) {
            List<ServicePort> ports = s.getSpec() == null ? List.of() : s.getSpec().getPorts();
            check(!ports.isEmpty(), doc + ": spec.ports is required", problems);
            ports.forEach(p -> check(p.getPort() != null, doc + ": ports[].port is required", problems));
        } else if (object instanceof PodDisruptionBudget p) {
            check(p.getSpec() != null && (p.getSpec().getMinAvailable() == null) != (p.getSpec().getMaxUnavailable() == null),
                    doc + ": exactly one of minAvailable and maxUnavailable", problems);
            check(p.getSpec() != null && p.getSpec().getSelector() != null, doc + ": spec.selector is required", problems);
        } else if (object instanceof PersistentVolumeClaim c) {
            check(c.getSpec() != null && !c.getSpec().getAccessModes().isEmpty(), doc + ": spec.accessModes is required", problems);
            check(c.getSpec() != null && c.getSpec().getResources() != null
                    && c.getSpec().getResources().getRequests().containsKey("storage"),
                    doc + ": spec.resources.requests.storage is required", problems);
        } else if (object instanceof ConfigMap c) {
            Objects.requireNonNullElse(c.getData(), Map.<String, String>of()).keySet().forEach(k ->
                    check(ENV_NAME.matcher(k).matches(), doc + ": data key " + k + " is not a valid key", problems));
        }
    }

    private static void podTemplate(DeployFiles.Document doc, PodTemplateSpec template, List<String> problems) {
        if (template.getSpec() == null || template.getSpec().getContainers().isEmpty()) {
            problems.add(doc + ": the pod template needs at least one container");
            return;
        }
        Set<String> volumes = new HashSet<>();
        for (Volume v : template.getSpec().getVolumes()) {
            check(v.getName() != null && DNS_LABEL.matcher(v.getName()).matches(), doc + ": volume name " + v.getName(), problems);
            check(volumes.add(v.getName()), doc + ": volume " + v.getName() + " declared twice", problems);
            if (v.getConfigMap() != null) {
                check(v.getConfigMap().getName() != null, doc + ": volume " + v.getName() + ": configMap.name is required", problems);
                keysToPaths(doc + ": volume " + v.getName(), v.getConfigMap().getItems(), problems);
            }
            if (v.getSecret() != null) {
                check(v.getSecret().getSecretName() != null, doc + ": volume " + v.getName() + ": secret.secretName is required", problems);
                keysToPaths(doc + ": volume " + v.getName(), v.getSecret().getItems(), problems);
            }
        }
        for (Container c : template.getSpec().getContainers()) {
            String where = doc + " container " + c.getName();
            check(c.getName() != null && DNS_LABEL.matcher(c.getName()).matches(), where + ": name must be a DNS label", problems);
            check(c.getImage() != null && !c.getImage().isBlank(), where + ": image is required", problems);
            c.getPorts().forEach(p -> check(p.getContainerPort() != null && p.getContainerPort() > 0 && p.getContainerPort() < 65536,
                    where + ": ports[].containerPort is required (1-65535)", problems));
            for (EnvVar e : c.getEnv()) {
                check(e.getName() != null && ENV_NAME.matcher(e.getName()).matches(), where + ": env name " + e.getName(), problems);
                check(e.getValue() == null || e.getValueFrom() == null, where + ": env " + e.getName() + " has value and valueFrom", problems);
            }
            for (VolumeMount m : c.getVolumeMounts()) {
                check(m.getMountPath() != null && m.getMountPath().startsWith("/"), where + ": mountPath must be absolute", problems);
                check(volumes.contains(m.getName()), where + ": volumeMount " + m.getName() + " names no volume", problems);
            }
            for (Probe p : new Probe[] {c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe()}) {
                if (p != null) {
                    int handlers = (p.getHttpGet() != null ? 1 : 0) + (p.getExec() != null ? 1 : 0)
                            + (p.getTcpSocket() != null ? 1 : 0) + (p.getGrpc() != null ? 1 : 0);
                    check(handlers == 1, where + ": a probe needs exactly one handler", problems);
                }
            }
        }
    }

    /** ConfigMap and Secret projections: both fields required, the path relative and inside the mount. */
    private static void keysToPaths(String where, List<KeyToPath> items, List<String> problems) {
        for (KeyToPath item : items) {
            check(item.getKey() != null, where + ": items[].key is required", problems);
            check(item.getPath() != null && !item.getPath().startsWith("/") && !item.getPath().contains(".."),
                    where + ": items[].path is required, relative and without ..", problems);
        }
    }

    private static void check(boolean ok, String problem, List<String> problems) {
        if (!ok) {
            problems.add(problem);
        }
    }
}
