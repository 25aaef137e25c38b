// No source was generated; the class files came from Kiln, not javac, and run.
assert !new File(basedir, 'target/generated-sources/kiln/com/example/models/SmallConvnet.java').exists()
def classFile = new File(basedir, 'target/classes/com/example/models/SmallConvnet.class')
assert classFile.isFile()
assert new File(basedir, 'target/classes/com/example/models/SmallConvnet.weights').isFile()
def stamp = new File(basedir, 'target/kiln/stamps/com.example.models.SmallConvnet.stamp').text
assert stamp.contains("output=${classFile.path}\n")

def log = new File(basedir, 'build.log').text
assert log.contains('Kiln: small_convnet.json -> com.example.models.SmallConvnet (bytecode;')

def jar = new java.util.jar.JarFile(new File(basedir, 'target/bytecode-target-1.0.jar'))
assert jar.getEntry('com/example/models/SmallConvnet.class') != null
jar.close()

def runtime = new File(localRepositoryPath, "dev/kiln/kiln-runtime-min/${kilnVersion}/kiln-runtime-min-${kilnVersion}.jar")
def loader = new URLClassLoader([new File(basedir, 'target/classes').toURI().toURL(), runtime.toURI().toURL()] as URL[],
    ClassLoader.getPlatformClassLoader())
float[] p = loader.loadClass('com.example.App').getMethod('classify').invoke(null)
float[] expected = [0.44026262f, 0.42939246f, 0.1303449f]
for (int i = 0; i < 3; i++) {
  assert Math.abs(p[i] - expected[i]) < 1e-5 : "probability ${i}: ${p[i]} != ${expected[i]}"
}
return true
