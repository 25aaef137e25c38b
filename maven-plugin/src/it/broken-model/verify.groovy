// The failure names the model by its path in the project, the node and the operator, on one line;
// a user error prints no stack trace and leaves no half-written output.
def log = new File(basedir, 'build.log').text
def expected = "[ERROR] Failed to execute goal dev.kiln:kiln-maven-plugin:${kilnVersion}:compile (default)" +
    " on project broken-model: src/main/kiln/broken.json: node 'conv' (Conv, opset 13): kernel_shape [5, 5]" +
    " does not match the weights' spatial shape [3, 3] -> [Help 1]"
assert log.contains(expected)
assert !log.contains('\tat dev.kiln.')
assert !log.contains('KilnException')
assert !new File(basedir, 'target/generated-sources/kiln/com/example/models/Broken.java').exists()
assert !new File(basedir, 'target/kiln/stamps/com.example.models.Broken.stamp').exists()
return true
